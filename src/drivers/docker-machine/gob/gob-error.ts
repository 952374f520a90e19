// What the gob codec throws: a stream that does not parse, or a value that does not fit its declared type.
export class GobError extends Error {
  constructor(message: string) {
    super(`gob: ${message}`);
    this.name = 'GobError';
  }
}

/** Thrown by the reader when the bytes so far end inside a message; the decoder waits for more and retries. */
export class GobUnderflow extends Error {
  constructor() {
    super('gob: need more bytes');
    this.name = 'GobUnderflow';
  }
}
