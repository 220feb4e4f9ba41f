// The user's theme (PeerTube's `theme` setting): the two core themes force light or dark; the
// instance's default follows the system's colour scheme. Applied as `data-theme` on <html>,
// which the stylesheet reads.

/** The themes a user may choose, with their labels (the server accepts these names). */
export const THEMES: Array<[string, string]> = [
  ['instance-default', 'Follow my system (light or dark)'],
  ['peertube-core-light-beige', 'Light'],
  ['peertube-core-dark-brown', 'Dark']
]

/** Applies `theme` (a user's setting; anything else follows the system). */
export function applyTheme (theme: string | null | undefined): void {
  const root = document.documentElement
  if (theme === 'peertube-core-dark-brown') root.dataset.theme = 'dark'
  else if (theme === 'peertube-core-light-beige') root.dataset.theme = 'light'
  else delete root.dataset.theme
}
