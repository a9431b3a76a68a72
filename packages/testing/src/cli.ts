import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../../apps/cli/bin/tessera.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `tessera ...args` as a real process, as a user would, and collects its output. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Starts `tessera ...args` and returns the process, for long-running commands such as start. */
export function spawnCli(args: string[], env: Record<string, string | undefined> = {}) {
  const base = { ...process.env }
  // A test chooses its database explicitly: nothing leaks in from the developer's shell.
  delete base.DATABASE_URL
  delete base.TESSERA_DATA_DIR
  delete base.TESSERA_MODULES
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...base, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}
