// The REST client: relative /api/v1 calls, OAuth tokens in localStorage (password grant through
// the instance's local client), one refresh on 401, and problem+json errors as ApiError.

import type { User } from './types'

const TOKENS_KEY = 'kinora:tokens'
const CLIENT_KEY = 'kinora:oauth-client'

interface Tokens { accessToken: string, refreshToken: string, expiresAt: number }
interface OAuthClient { client_id: string, client_secret: string }
interface TokenAnswer { access_token: string, refresh_token: string, expires_in: number }

/** An answer that was not 2xx: the status and problem+json's detail, code and invalid-params. */
export class ApiError extends Error {
  constructor (
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string,
    readonly invalidParams: Record<string, { msg?: string, reason?: string }> = {}
  ) {
    super(detail)
  }

  /** The route itself is missing (the server does not offer this feature yet). */
  get routeMissing (): boolean {
    return this.status === 405 || (this.status === 404 && this.code === 'not_found' && /route/i.test(this.detail))
  }
}

export function readTokens (): Tokens | null {
  try {
    const stored = JSON.parse(localStorage.getItem(TOKENS_KEY) ?? 'null') as Tokens | null
    return stored?.accessToken ? stored : null
  } catch {
    return null
  }
}

function saveTokens (answer: TokenAnswer | null): void {
  if (answer) {
    const tokens: Tokens = {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      expiresAt: Date.now() + answer.expires_in * 1000
    }
    localStorage.setItem(TOKENS_KEY, JSON.stringify(tokens))
  } else {
    localStorage.removeItem(TOKENS_KEY)
  }
  me = null
  window.dispatchEvent(new Event('kinora:auth'))
}

export function isLoggedIn (): boolean { return readTokens() !== null }

/** The Authorization header for hand-made requests (XHR uploads), or nothing. */
export function authorization (): Record<string, string> {
  const tokens = readTokens()
  return tokens ? { Authorization: `Bearer ${tokens.accessToken}` } : {}
}

async function problem (response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {}
  try { body = await response.json() } catch { /* not JSON */ }
  const detail = String(body.detail ?? body.error ?? body.title ?? response.statusText ?? 'Request failed')
  const code = typeof body.code === 'string' ? body.code : (typeof body.type === 'string' && !body.type.includes('/') ? body.type : undefined)
  return new ApiError(response.status, code, detail, (body['invalid-params'] ?? {}) as ApiError['invalidParams'])
}

async function oauthClient (fresh = false): Promise<OAuthClient> {
  if (!fresh) {
    try {
      const cached = JSON.parse(localStorage.getItem(CLIENT_KEY) ?? 'null') as OAuthClient | null
      if (cached?.client_id) return cached
    } catch { /* fetch it again */ }
  }
  const response = await fetch('/api/v1/oauth-clients/local')
  if (!response.ok) throw await problem(response)
  const client = await response.json() as OAuthClient
  localStorage.setItem(CLIENT_KEY, JSON.stringify(client))
  return client
}

async function requestToken (fields: Record<string, string>, fresh = false): Promise<TokenAnswer> {
  const client = await oauthClient(fresh)
  const response = await fetch('/api/v1/users/token', {
    method: 'POST',
    body: new URLSearchParams({ ...fields, client_id: client.client_id, client_secret: client.client_secret })
  })
  if (response.ok) return await response.json() as TokenAnswer
  const error = await problem(response)
  // A cached client from a reinstalled instance: fetch the current one once.
  if (!fresh && error.code === 'invalid_client') return await requestToken(fields, true)
  throw error
}

export async function login (username: string, password: string): Promise<void> {
  saveTokens(await requestToken({ grant_type: 'password', username, password }))
}

export async function logout (): Promise<void> {
  const tokens = readTokens()
  if (tokens) {
    try {
      await fetch('/api/v1/users/revoke-token', { method: 'POST', headers: { Authorization: `Bearer ${tokens.accessToken}` } })
    } catch { /* the local logout matters most */ }
  }
  saveTokens(null)
}

let refreshing: Promise<boolean> | null = null

/**
 * Trades the refresh token for new tokens; false when logged out. One refresh at a time, in this
 * page and across the instance's other tabs (a Web Lock where the browser has them): a refresh
 * token is single-use, and the server ends the whole session when one is presented twice. `stale`
 * is the access token a request was refused with: when the stored one differs, another caller
 * has refreshed already and its tokens are used as they are.
 */
export function refreshTokens (stale?: string): Promise<boolean> {
  const exchange = async (): Promise<boolean> => {
    const tokens = readTokens()
    if (!tokens) return false
    if (stale !== undefined && tokens.accessToken !== stale) return true
    try {
      saveTokens(await requestToken({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken }))
      return true
    } catch (error) {
      // Only a refusal ends the session; a network error keeps the tokens for later.
      if (error instanceof ApiError) saveTokens(null)
      return false
    }
  }
  refreshing ??= (typeof navigator !== 'undefined' && navigator.locks
    ? navigator.locks.request('kinora:token-refresh', exchange)
    : exchange()
  ).finally(() => { refreshing = null })
  return refreshing
}

export interface RequestOptions {
  method?: string
  json?: unknown
  form?: FormData
  /** A list value is sent as the key repeated (`languageOneOf=en&languageOneOf=fr`). */
  query?: Record<string, string | number | boolean | string[] | undefined>
  signal?: AbortSignal
}

function url (path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (Array.isArray(value)) for (const item of value) params.append(key, item)
    else if (value !== undefined && value !== '') params.set(key, String(value))
  }
  const text = params.toString()
  return `/api/v1${path}${text ? `?${text}` : ''}`
}

/** Calls the API and gives the (2xx) response itself. Throws ApiError on failure. */
export async function apiResponse (path: string, options: RequestOptions & { headers?: Record<string, string> } = {}): Promise<Response> {
  const send = async (): Promise<Response> => {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers, ...authorization() }
    let body: BodyInit | undefined
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.json)
    } else if (options.form) {
      body = options.form
    }
    return await fetch(url(path, options.query), { method: options.method ?? 'GET', headers, body, signal: options.signal })
  }
  const tokens = readTokens()
  if (tokens && tokens.expiresAt < Date.now() + 10_000) await refreshTokens(tokens.accessToken)
  const sentWith = readTokens()?.accessToken
  let response = await send()
  if (response.status === 401 && readTokens()) {
    // Expired or revoked: refresh once (unless another request already did), then try again
    // (anonymously if the session ended).
    await refreshTokens(sentWith)
    response = await send()
  }
  if (!response.ok) throw await problem(response)
  return response
}

/** Calls the API and parses its JSON; 204 gives undefined. Throws ApiError on failure. */
export async function api<T = unknown> (path: string, options: RequestOptions = {}): Promise<T> {
  const response = await apiResponse(path, options)
  if (response.status === 204) return undefined as T
  const text = await response.text()
  return (text ? JSON.parse(text) : undefined) as T
}

/** Turns a failed XHR/fetch answer into an ApiError. */
export async function toApiError (response: Response): Promise<ApiError> { return await problem(response) }

let me: Promise<User | null> | null = null

/** The logged-in user (cached until the session changes), or null. */
export function currentUser (): Promise<User | null> {
  if (!isLoggedIn()) return Promise.resolve(null)
  me ??= api<User>('/users/me').catch(() => { me = null; return null })
  return me
}

/** Forgets the cached user (their settings changed), so the next `currentUser()` asks again. */
export function forgetCurrentUser (): void { me = null }

// Another tab logged in or out.
window.addEventListener('storage', (event) => {
  if (event.key === TOKENS_KEY) {
    me = null
    window.dispatchEvent(new Event('kinora:auth'))
  }
})
