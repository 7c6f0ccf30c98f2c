// One-tap copy of a code shown on the page (the receipt code). Without JavaScript, or
// without a clipboard, the button stays hidden and the code is plain text to write down.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  const source = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!source || !status || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    status.textContent = "";
    await navigator.clipboard.writeText(source.textContent.replace(/\s+/g, ""));
    status.textContent = button.dataset.copiedMessage;
  });
});
