// Text gathered line by line and handed on in chunks. Appending to one string lets V8 build the chunk as a rope,
// flattened once when written, instead of keeping every line as its own string in an array joined per chunk
// (a 14,000-node plan has ~300,000 lines).

export class LineChunks {
  private text = '';

  /** Each line gets its newline. */
  push(...lines: string[]): void {
    for (let i = 0; i < lines.length; i++) this.text += `${lines[i]}\n`;
  }

  /** Characters gathered since the last take. */
  get length(): number {
    return this.text.length;
  }

  /** The gathered text, whole lines only, and a fresh start. */
  take(): string {
    const t = this.text;
    this.text = '';
    return t;
  }
}
