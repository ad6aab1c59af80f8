// Every error the local Platform API returns is one of these: an HTTP status and an {id, message}
// body, as the real API sends them.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }

  body(): {id: string; message: string; url?: string} {
    return {id: this.id, message: this.message, url: 'https://devcenter.heroku.com/articles/platform-api-reference'}
  }
}

export const apiErrors = {
  unauthorized: () => new ApiError(401, 'unauthorized', 'Invalid credentials provided.'),
  noCredentials: () =>
    new ApiError(
      401,
      'unauthorized',
      'There were no credentials in your `Authorization` header. Try `Authorization: Bearer {oauth_token}`.',
    ),
  forbidden: (message = 'You do not have access to this resource.') => new ApiError(403, 'forbidden', message),
  notFound: (resource: string) => new ApiError(404, 'not_found', `Couldn't find that ${resource}.`),
  noRoute: () =>
    new ApiError(
      404,
      'not_found',
      'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?',
    ),
  badRequest: (message: string) => new ApiError(400, 'bad_request', message),
  invalidParams: (message: string) => new ApiError(422, 'invalid_params', message),
  rateLimit: () =>
    new ApiError(429, 'rate_limit', 'Your account reached the API rate limit\nPlease wait a few minutes before making new requests'),
  unavailable: () => new ApiError(503, 'unavailable', 'The service is temporarily unavailable. Please try again.'),
  conflict: () => new ApiError(409, 'conflict', 'A release is in progress for this app. Please try again.'),
}
