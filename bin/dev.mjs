#!/usr/bin/env -S node --import tsx
// Development entry point: runs the TypeScript sources directly (no build step).
import {run} from '../src/lib/entry.ts'

await run(new URL('../', import.meta.url), {development: true})
