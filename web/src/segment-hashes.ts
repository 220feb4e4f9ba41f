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

/**
 * A `validateP2PSegment` for p2p-media-loader: fetches the JSON once (again after a failure)
 * and compares the SHA-256 of each segment with it.
 */
export function segmentValidator (hashesUrl: string, onVerdict?: VerdictListener): (url: string, range: InclusiveRange | undefined, data: ArrayBuffer) => Promise<boolean> {
  let hashes: Promise<Hashes> | null = null
  const load = (): Promise<Hashes> => {
    hashes ??= fetch(hashesUrl, { credentials: 'same-origin' }).then(async (response) => {
      if (!response.ok) throw new Error(`segments-sha256 answered ${response.status}`)
      const json: unknown = await response.json()
      if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('segments-sha256 is not an object')
      return json as Hashes
    })
    hashes.catch(() => { hashes = null })
    return hashes
  }
  return async (url, range, data) => {
    let valid = false
    try {
      const expected = expectedHash(await load(), fileNameOf(url), range)
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
