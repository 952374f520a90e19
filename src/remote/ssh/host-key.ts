// What the user reads when a machine offers a different host key than the one pinned on first contact.

/** The verb that accepts a new host key (the lead wires it; see forgetHostKey in ssh-helpers.ts). */
export const FORGET_KEY_COMMAND = 'mfile ssh-keys forget';

export function hostKeyChangedMessage(machine: string, pinned: string, offered: string, jumpHost?: string): string {
  return (
    `${jumpHost ? `jump host ${jumpHost}: ` : ''}host key changed: pinned ${pinned}, offered ${offered}. ` +
    `This can mean someone is intercepting the connection. If ${machine} was rebuilt on purpose, ` +
    `accept the new key with: ${FORGET_KEY_COMMAND} ${machine}`
  );
}
