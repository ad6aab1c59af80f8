// Renders every help page (the root, each command, each topic) once at build time into
// dist/help-cache.json, so `qjob <command> --help` off a terminal prints it without loading oclif
// (src/lib/startup/fast-path.ts). Rendered by oclif's own Help class in a child process whose
// stdout is a pipe with no colour settings: exactly what a script running qjob would get.
// Runs after `oclif manifest`.
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {RENDER_SETTINGS} from '../dist/lib/startup/fast-path.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

if (process.argv[2] === '--child') await renderAll()
else {
  const env = {...process.env}
  // Anything that changes width or colour would bake it into the cache (the runtime skips the cache then).
  for (const key of Object.keys(env)) if (RENDER_SETTINGS.test(key)) delete env[key]
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  })
  if (child.status !== 0) throw new Error(`rendering the help pages failed (exit ${child.status})`)
  writeFileSync(join(root, 'dist', 'help-cache.json'), child.stdout)
}

async function renderAll() {
  const {Config, loadHelpClass} = await import('@oclif/core')
  const write = process.stdout.write.bind(process.stdout)
  const render = async argv => {
    // A fresh Config per page: rendering a list of commands rewrites their ids in place.
    const config = await Config.load(root)
    const Help = await loadHelpClass(config)
    let text = ''
    process.stdout.write = chunk => ((text += chunk), true)
    try {
      await new Help(config, config.pjson.oclif.helpOptions ?? config.pjson.helpOptions).showHelp(argv)
    } finally {
      process.stdout.write = write
    }
    // The root page names the node version and platform: filled in at run time.
    return text.replaceAll(config.userAgent, '{{userAgent}}')
  }
  const words = id => id.split(':').join(' ')
  // As oclif gets them from `qjob <words> --help`.
  const page = id => render([...(id ? id.split(':') : []), '--help'])
  const config = await Config.load(root)
  const cache = {root: await page(''), commands: {}, topics: {}}
  for (const command of config.commands) cache.commands[words(command.id)] = await page(command.id)
  for (const topic of config.topics) if (!cache.commands[words(topic.name)]) cache.topics[words(topic.name)] = await page(topic.name)
  write(JSON.stringify(cache))
}
