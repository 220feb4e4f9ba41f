// Checks segments received from other viewers against the video's segments-sha256 JSON, in
// PeerTube's format: `{ "<rendition file name>": { "<start>-<end>": "<sha256 hex>" } }` with
// inclusive byte ranges (p2p-media-loader hands over inclusive ranges too), or a plain hash for
// a whole file. A segment whose file, range or hash is unknown or different is refused, and so
// is everything while the JSON cannot be read. HTTP segments are not checked: they come from the
// same origin as the JSON.

type Hashes = Record<string, Record<string, string> | string>

/** A byte range with an inclusive end, as p2p-media-loader passes it. */
export interface InclusiveRange { start: number, end: number }

/** Called with each verdict (for the player's statistics). */
export type VerdictListener = (valid: boolean, url: string) => void

/** The last path segment of a URL, without query or fragment. */
export function fileNameOf (url: string): string {
  const path = new URL(url, location.href).pathname
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1))
}

function hex (digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** The hash the JSON lists for this file and range, if any. */
export function expectedHash (hashes: Hashes, fileName: string, range: InclusiveRange | undefined): string | undefined {
  const entry = Object.prototype.hasOwnProperty.call(hashes, fileName) ? hashes[fileName] : undefined
  if (typeof entry === 'string') return range ? undefined : entry
  if (!entry || typeof entry !== 'object' || !range) return undefined
  const key = `${range.start}-${range.end}`
  const hash = Object.prototype.hasOwnProperty.call(entry, key) ? entry[key] : undefined
  return typeof hash === 'string' ? hash : undefined
}

/** How a growing JSON (a live's) is read again for a segment it does not list yet. */
export interface GrowingOptions {
  /** The JSON grows (a live): a segment it does not list is looked up again. */
  growing?: boolean
  /** Milliseconds between two readings of the JSON. */
  retryDelayMs?: number
  /** How many times it is read again for one segment before the segment is refused. */
  retries?: number
}

/**
 * A `validateP2PSegment` for p2p-media-loader: fetches the JSON once (again after a failure)
 * and compares the SHA-256 of each segment with it. A live's JSON grows with each segment, so
 * a segment a peer has before this viewer's copy of the JSON lists it is looked up again in a
 * fresh copy (every `retryDelayMs`, PeerTube's 500 ms, at most `retries` times; one reading
 * serves every segment waiting for it).
 */
export function segmentValidator (hashesUrl: string, onVerdict?: VerdictListener, options: GrowingOptions = {}): (url: string, range: InclusiveRange | undefined, data: ArrayBuffer) => Promise<boolean> {
  const retryDelayMs = options.retryDelayMs ?? 500
  const retries = options.growing === true ? options.retries ?? 10 : 0
  let hashes: Promise<Hashes> | null = null
  let loadedAt = 0
  const load = (): Promise<Hashes> => {
    if (hashes === null) {
      loadedAt = Date.now()
      hashes = fetch(hashesUrl, { credentials: 'same-origin', cache: 'no-cache' }).then(async (response) => {
        if (!response.ok) throw new Error(`segments-sha256 answered ${response.status}`)
        const json: unknown = await response.json()
        if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('segments-sha256 is not an object')
        return json as Hashes
      })
      hashes.catch(() => { hashes = null })
    }
    return hashes
  }
  /** The JSON read after `after` (ms since the epoch), once `retryDelayMs` passed. */
  const reload = async (after: number): Promise<Hashes> => {
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs))
    if (loadedAt <= after) hashes = null
    return load()
  }
  const lookUp = async (fileName: string, range: InclusiveRange | undefined): Promise<string | undefined> => {
    let asked = Date.now()
    let expected = expectedHash(await load(), fileName, range)
    for (let attempt = 0; expected === undefined && attempt < retries; attempt++) {
      const current = await reload(asked)
      asked = loadedAt
      expected = expectedHash(current, fileName, range)
    }
    return expected
  }
  return async (url, range, data) => {
    let valid = false
    try {
      const expected = await lookUp(fileNameOf(url), range)
      const length = range ? range.end - range.start + 1 : data.byteLength
      if (expected !== undefined && data.byteLength === length) {
        valid = hex(await crypto.subtle.digest('SHA-256', data)) === expected.toLowerCase()
      }
    } catch {
      valid = false
    }
    onVerdict?.(valid, url)
    return valid
  }
}
