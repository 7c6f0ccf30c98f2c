// Searchable selects (compliance.widgets.SearchSelect / SearchSelectMultiple) become Tom Select
// comboboxes. A "remote" select holds only its selected option(s) and asks the API as the user
// types (signed in by the session cookie, under the page's own rule); a "local" one (the 250
// countries) searches the options already in the page. Without this script each stays a plain
// select, and a remote one keeps a search box the server uses: this script removes that box so
// only the combobox's value is posted.
(function () {
  "use strict";

  function renderOption(item, escape) {
    const detail = item.detail ? `<div class="small text-body-secondary">${escape(item.detail)}</div>` : "";
    return `<div>${escape(item.label)}${detail}</div>`;
  }

  function remoteOptions(select) {
    const url = select.dataset.searchUrl;
    return {
      valueField: "id",
      labelField: "label",
      // Matched here too while the server's answer is on its way (it matches names and emails or numbers).
      searchField: ["label", "detail"],
      preload: "focus",
      loadThrottle: 250,
      shouldLoad: () => true,
      load(query, callback) {
        const target = new URL(url, window.location.href);
        target.searchParams.set("q", query);
        fetch(target, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
          .then((data) => {
            // Only the server's answer to this query is offered (the chosen item stays).
            this.clearOptions();
            callback(data.results);
          })
          .catch(() => callback());
      },
      render: {
        option: renderOption,
        item: (item, escape) => `<div>${escape(item.label)}</div>`,
        no_results: () => '<div class="no-results">Nothing matches: type less of the name.</div>',
        // Plain text, no role: these sit inside the listbox, which may hold only options.
        loading: () => '<div class="small p-2">Searching…</div>',
      },
    };
  }

  function enhance(root) {
    root.querySelectorAll("select[data-search-select]").forEach((select) => {
      if (select.tomselect) return;
      const remote = select.dataset.searchSelect === "remote";
      const options = {
        allowEmptyOption: true,
        // Typing then Enter takes the first match, as a keyboard user expects.
        setFirstOptionActive: true,
        // A single choice is made: close the list so it does not cover the next field or button.
        closeAfterSelect: !select.multiple,
        maxOptions: 100,
        plugins: select.multiple ? ["remove_button"] : [],
        ...(remote ? remoteOptions(select) : {}),
      };
      if (remote) {
        const fallback = document.querySelector(`[data-search-fallback="${select.id}"]`);
        if (fallback) fallback.remove();
      }
      new TomSelect(select, options);
      // The original select stays in the page (visually hidden, tabindex -1) to be submitted; the
      // combobox now carries the label, so hide the select from assistive technology too, or a
      // screen reader meets two controls and the select one without a name.
      select.setAttribute("aria-hidden", "true");
    });
  }

  enhance(document);
  // Pages that swap in forms with htmx get their selects enhanced too.
  document.body.addEventListener("htmx:load", (event) => enhance(event.target));
})();
