/** Facts about other processes, for removing what a killed gitplane run left behind. */

/** True while a process with this id exists (kill(2) with signal 0; EPERM means it exists but is not ours). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
