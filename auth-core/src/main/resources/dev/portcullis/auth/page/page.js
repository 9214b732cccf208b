for (const b of document.querySelectorAll('button[data-copy]')) {
  b.hidden = false;
  b.addEventListener('click', () => {
    const t = document.getElementById(b.dataset.copy);
    const text = t.value !== undefined ? t.value : t.textContent;
    navigator.clipboard.writeText(text).then(() => { b.textContent = 'Copied'; },
      () => { if (t.select) { t.select(); } b.textContent = 'Press Ctrl+C'; });
  });
}
for (const f of document.querySelectorAll('form[data-confirm]')) {
  f.addEventListener('submit', e => { if (!confirm(f.dataset.confirm)) { e.preventDefault(); } });
}
