// Start-up benchmark: qjob commands against bare `node -e 0`, interleaved runs, medians side by side.
// With --all, also `qjob <command> --help` for every command in oclif.manifest.json (issue 24's
// "every command"): the start-up through oclif to the command itself, without any service.
// Usage: node bench/startup.mjs [--runs N] [--all] [--markdown]
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')
const runsFlag = process.argv.indexOf('--runs')
const runs = runsFlag === -1 ? 21 : Number(process.argv[runsFlag + 1])
const markdown = process.argv.includes('--markdown')

const home = mkdtempSync(join(tmpdir(), 'qjob-bench-'))
const env = {...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), HEROKU_API_KEY: 'bench', HEROKU_APP: 'bench'}

const cases = [
  {name: 'node -e 0 (baseline)', args: ['-e', '0']},
  {name: 'qjob --version', args: [bin, '--version']},
  {name: 'qjob config list', args: [bin, 'config', 'list']},
  {name: 'qjob --help', args: [bin, '--help']},
]
if (existsSync(join(root, 'dist', 'commands', 'scale.js'))) {
  cases.push({name: 'qjob scale --help', args: [bin, 'scale', '--help']})
}
if (process.argv.includes('--all')) {
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
  for (const id of Object.keys(manifest.commands).sort()) {
    const words = id.split(':')
    const name = `qjob ${words.join(' ')} --help`
    if (!cases.some(item => item.name === name)) cases.push({name, args: [bin, ...words, '--help']})
  }
}

function timeOnce(args) {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, {env, cwd: home, stdio: ['ignore', 'ignore', 'pipe']})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return ms
}

const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const samples = cases.map(() => [])
for (const item of cases) timeOnce(item.args) // warm the file cache
for (let i = 0; i < runs; i++) {
  for (const [index, item] of cases.entries()) samples[index].push(timeOnce(item.args))
}
rmSync(home, {recursive: true, force: true})

const base = median(samples[0])
const rows = cases.map((item, index) => {
  const m = median(samples[index])
  return {name: item.name, median: m.toFixed(1), ratio: (m / base).toFixed(2)}
})
const worst = rows.slice(1).reduce((a, b) => (Number(b.ratio) > Number(a.ratio) ? b : a))
const best = rows.slice(1).reduce((a, b) => (Number(b.ratio) < Number(a.ratio) ? b : a))
if (markdown) {
  console.log(`| command | median ms (${runs} runs) | x node |`)
  console.log('|---|---:|---:|')
  for (const row of rows) console.log(`| \`${row.name}\` | ${row.median} | ${row.ratio} |`)
  console.log(`\nSlowest: \`${worst.name}\` ${worst.ratio}x node; fastest: \`${best.name}\` ${best.ratio}x.`)
} else {
  for (const row of rows) console.log(`${row.name.padEnd(40)} ${row.median.padStart(8)} ms  ${row.ratio}x node`)
  console.log(`slowest: ${worst.name} ${worst.ratio}x node; fastest: ${best.name} ${best.ratio}x`)
}
