// Loads an ES module of dist/ for bin/run.js (entry.js) and the dispatcher (a command's file).
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

/**
 * With require() where node can (20.19 and later), which skips node's asynchronous loader (~6 ms
 * for a command's file); else, or for a graph with a top-level await, with import().
 */
export async function loadModule<T>(url: URL): Promise<T> {
  try {
    return createRequire(url)(fileURLToPath(url)) as T
  } catch (error) {
    const code = (error as {code?: string}).code
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return (await import(url.href)) as T
    throw error
  }
}
