import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/**
 * PGlite is a single-process database: two processes writing one data folder would corrupt it.
 * A lock file holding the owner's pid refuses the second process with a clear message. A lock
 * left by a process that died (kill -9) is taken over at once, because its pid no longer runs;
 * a time-based lock (proper-lockfile) would instead refuse restarts for its stale period.
 */
export interface DataDirLock {
  release(): void
}

export class DataDirLocked extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The data folder ${dataDir} is in use by another Tessera process (pid ${pid}). ` +
        'Stop that process first, or point TESSERA_DATA_DIR at another folder.',
    )
    this.name = 'DataDirLocked'
  }
}

const LOCK_FILE = 'tessera.lock'

export function lockDataDir(dataDir: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return { release: () => releaseIfOurs(path) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = readHolder(path)
      if (holder !== undefined && holder !== process.pid && isRunning(holder)) {
        throw new DataDirLocked(dataDir, holder)
      }
      if (holder === process.pid) throw new DataDirLocked(dataDir, holder)
      unlinkSync(path) // stale: its process is gone
    }
  }
  throw new Error(`Could not lock the data folder ${dataDir}.`)
}

function readHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function releaseIfOurs(path: string): void {
  if (readHolder(path) === process.pid) {
    try {
      unlinkSync(path)
    } catch {
      // already gone
    }
  }
}
