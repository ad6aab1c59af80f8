// oclif's config.userAgent, for the answers given without oclif's Config.
import {arch, platform, release} from 'node:os'

/** The architecture as oclif names it ("x86" for ia32). */
export function oclifArch(): string {
  return arch() === 'ia32' ? 'x86' : arch()
}

/** qjob/0.1.0 linux-x64 node-v20.20.2 ("wsl" on WSL, as oclif says). */
export function userAgent(name: string, version: string): string {
  const os = platform() === 'linux' && release().toLowerCase().includes('microsoft') ? 'wsl' : platform()
  return `${name}/${version} ${os}-${oclifArch()} node-${process.version}`
}
