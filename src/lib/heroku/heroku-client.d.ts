// Types for the parts of heroku-client 3 (CommonJS, untyped) that qjob uses.
declare module 'heroku-client' {
  import type {IncomingMessage} from 'node:http'

  interface HerokuRequestOptions {
    method?: string
    path?: string
    body?: unknown
    headers?: Record<string, string | undefined>
    host?: string
    token?: string
    timeout?: number
    partial?: boolean
    userAgent?: string
    parseJSON?: boolean
    /** Runs with each response before its body is read; call next() to go on. */
    middleware?: (response: IncomingMessage, next: () => void) => void
  }

  class Heroku {
    constructor(options?: HerokuRequestOptions)
    request<T = unknown>(options: HerokuRequestOptions): Promise<T>
    get<T = unknown>(path: string, options?: HerokuRequestOptions): Promise<T>
    post<T = unknown>(path: string, options?: HerokuRequestOptions): Promise<T>
    patch<T = unknown>(path: string, options?: HerokuRequestOptions): Promise<T>
    delete<T = unknown>(path: string, options?: HerokuRequestOptions): Promise<T>
  }

  export = Heroku
}
