/** The launcher's own output: short prefixed lines on stderr, so stdout stays for the children. */
export function stackLog(message: string): void {
  process.stderr.write(`[dev-stack] ${message}\n`);
}
