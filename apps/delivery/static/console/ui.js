// Small pieces every screen uses.

let timer = null;

/** A short message at the bottom of the screen; errors stay a little longer. */
export function toast(text, error = false) {
  const node = document.getElementById('toast');
  node.textContent = text;
  node.classList.toggle('error', error);
  node.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(() => { node.hidden = true; }, error ? 5000 : 3000);
}

/** The field errors of an API failure, or its message. */
export function describe(e) {
  const details = e && e.body && e.body.details;
  if (details && details.length) return details.map((d) => d.field + ': ' + d.message).join(' · ');
  return (e && e.message) || String(e);
}
