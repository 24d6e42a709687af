// CPU time of another process, from /proc (Linux). Used to kill a worker
// whose guest keeps a CPU busy past its deadline without ever reaching an
// interrupt check (e.g. a long loop inside one C function).
import fs from 'node:fs';

/** Linux reports utime/stime in USER_HZ ticks, which is 100 on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

/** User + system CPU of `pid` in ms, or null where /proc is not available. */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined || process.platform !== 'linux') return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
