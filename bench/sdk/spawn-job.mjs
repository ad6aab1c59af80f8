// How both `qjob work` baselines run one job, the way qjob's worker does: CMD through the shell in
// its own process group, the input on stdin, stdout and stderr piped (and drained).
import {spawn} from 'node:child_process'

export function spawnJob(command, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {shell: true, detached: true, stdio: ['pipe', 'pipe', 'pipe']})
    child.stdout.resume()
    child.stderr.resume()
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
    child.on('error', reject)
    child.on('close', code => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))))
  })
}
