// A few line icons (24×24, drawn in currentColor), built as SVG nodes.

const SVG = 'http://www.w3.org/2000/svg'

type Shape = [tag: string, attributes: Record<string, string | number>]

const thumb: Shape[] = [
  ['path', { d: 'M7 10v10H4V10z' }],
  ['path', { d: 'M7 10l4-7c1.5 0 2.5 1 2.2 2.6L12.6 9H18a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 16.8 20H7' }]
]
const speaker: Shape = ['path', { d: 'M4 9h4l5-4v14l-5-4H4z', fill: 'currentColor' }]

const shapes: Record<string, Shape[]> = {
  search: [['circle', { cx: 11, cy: 11, r: 7 }], ['path', { d: 'M16.5 16.5L21 21' }]],
  play: [['path', { d: 'M7 4l13 8-13 8z', fill: 'currentColor' }]],
  pause: [['path', { d: 'M6 4h4v16H6zM14 4h4v16h-4z', fill: 'currentColor', stroke: 'none' }]],
  volume: [speaker, ['path', { d: 'M16 9a4 4 0 0 1 0 6M18.5 6.5a8 8 0 0 1 0 11' }]],
  muted: [speaker, ['path', { d: 'M17 9l5 6M22 9l-5 6' }]],
  settings: [['path', { d: 'M4 6h16M4 12h16M4 18h16' }], ['circle', { cx: 9, cy: 6, r: 2, fill: 'currentColor' }],
    ['circle', { cx: 15, cy: 12, r: 2, fill: 'currentColor' }], ['circle', { cx: 7, cy: 18, r: 2, fill: 'currentColor' }]],
  fullscreen: [['path', { d: 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5' }]],
  'exit-fullscreen': [['path', { d: 'M9 4v5H4M20 9h-5V4M15 20v-5h5M4 15h5v5' }]],
  like: thumb,
  dislike: thumb.map(([tag, attributes]) => [tag, { ...attributes, transform: 'rotate(180 12 12)' }]),
  flag: [['path', { d: 'M5 21V4M5 4h11l-2 4 2 4H5' }]],
  upload: [['path', { d: 'M12 16V4M7 9l5-5 5 5M4 16v4h16v-4' }]],
  download: [['path', { d: 'M12 4v12M7 11l5 5 5-5M4 16v4h16v-4' }]],
  bell: [['path', { d: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4z' }], ['path', { d: 'M10 20a2 2 0 0 0 4 0' }]]
}

export type IconName = keyof typeof shapes

export function icon (name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg')
  for (const [key, value] of Object.entries({
    viewBox: '0 0 24 24', width: 20, height: 20, fill: 'none', stroke: 'currentColor',
    'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', focusable: 'false', class: 'icon'
  })) svg.setAttribute(key, String(value))
  for (const [tag, attributes] of shapes[name]) {
    const shape = document.createElementNS(SVG, tag)
    for (const [key, value] of Object.entries(attributes)) shape.setAttribute(key, String(value))
    svg.append(shape)
  }
  return svg
}
