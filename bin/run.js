#!/usr/bin/env node
// Production entry point: runs the compiled commands in dist/ through the shipped oclif manifest.
import {run} from '../dist/lib/entry.js'

await run(import.meta.url)
