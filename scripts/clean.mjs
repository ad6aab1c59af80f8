// Removes build output so a rebuild never ships a deleted command in dist/ or the manifest.
import {rmSync} from 'node:fs'

for (const path of ['dist', 'oclif.manifest.json']) rmSync(path, {recursive: true, force: true})
