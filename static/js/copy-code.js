// One-tap copy for a code shown on the page (the receipt code). Without JavaScript the
// button stays hidden and the code is plain text to write down or select.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  const source = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.dataset.copyText || source.textContent.trim());
      status.textContent = button.dataset.copiedMessage;
    } catch (error) {
      status.textContent = button.dataset.failedMessage;
    }
  });
});
