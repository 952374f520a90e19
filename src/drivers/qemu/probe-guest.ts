// The KVM probe's guest: a 512-byte boot sector that does what a bootloader does before Linux runs, then ends
// qemu through its isa-debug-exit port (qemu exits with (0x31 << 1) | 1 = 99). A sector that only wrote to the
// port ran under a nested KVM whose instruction emulator cannot do a 32-bit IRET, which extlinux needs: real
// guests then stopped with "KVM internal error" while the probe said KVM works. So the guest enters protected
// mode, returns through an IRET, turns on paging in long mode, and only then writes to the port.
//
// Assembled with GNU as (`as --32`, `ld -m elf_i386 -Ttext 0x7c00 --oformat binary`) from:
//   .code16: cli; zero ds, es, ss; sp = 0x7c00; lgdtl gdt_desc; cr0 |= 1; ljmpl $0x08, $pm
//   .code32 pm: ds = es = ss = 0x10; esp = 0x7c00; pushfl; pushl $0x08; pushl $next; iretl
//     next: zero 0x1000-0x3fff; PML4[0] = 0x2003, PDPT[0] = 0x3003, PD[0] = 0x83 (one 2 MiB page);
//     cr3 = 0x1000; cr4 |= PAE; EFER (0xc0000080) |= LME; cr0 |= PG; ljmpl $0x18, $lm
//   .code64 lm: movb $0x31, %al; outb %al, $0xf4; hlt; jmp lm
//   gdt: null; 0x00cf9a000000ffff (code 32); 0x00cf92000000ffff (data); 0x00af9a000000ffff (code 64)
//   gdt_desc: .word 31; .long gdt
const CODE =
  'fa31c08ed88ec08ed0bc007c660f0116c07c0f20c06683c8010f22c066ea247c0000080066b810008ed88ec08ed0bc007c00009c6a0868' +
  '3c7c0000cfbf00100000b9000c000031c0f3abc7050010000003200000c7050020000003300000c7050030000083000000b8001000000f' +
  '22d80f20e083c8200f22e0b9800000c00f320d000100000f300f20c00d000000800f22c0ea997c00001800b031e6f4f4ebf90000000000' +
  '000000ffff0000009acf00ffff00000092cf00ffff0000009aaf001f00a07c0000';

export const PROBE_EXIT_CODE = 99;

/** The boot sector: the code above, zeros, then the boot signature 0x55 0xaa. */
export function probeBootSector(): Buffer {
  const b = Buffer.alloc(512);
  Buffer.from(CODE, 'hex').copy(b);
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}
