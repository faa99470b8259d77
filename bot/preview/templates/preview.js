// Filters as the admin types by asking the server which tips to show: the same search
// `/tip` runs in Slack, so the page never guesses. The form is a plain GET, so the page
// works without JavaScript too. Then reloads the page whenever a tip file changes.
// Inlined into the page; the Content-Security-Policy allows this script by its hash.
(() => {
  const form = document.getElementById("filters");
  const search = form.elements.namedItem("q");
  const tag = form.elements.namedItem("tag");
  const cards = [...document.querySelectorAll("article.card")];
  const shown = document.getElementById("shown");
  const empty = document.getElementById("no-match");
  const note = document.getElementById("search-note");
  let asked = 0;

  function remember(params) {
    for (const link of document.querySelectorAll("a[data-form]")) {
      const linked = new URLSearchParams(params);
      if (link.dataset.form === "reply") { linked.delete("form"); }
      else { linked.set("form", link.dataset.form); }
      link.href = "?" + linked;
    }
    // Keep the filters in the address, so the reload after an edit shows the same view.
    const query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  async function apply() {
    const params = new URLSearchParams(location.search);
    const wanted = new URLSearchParams();
    for (const [name, value] of [["q", search.value.trim()], ["tag", tag.value]]) {
      if (value) { params.set(name, value); wanted.set(name, value); } else { params.delete(name); }
    }
    remember(params);
    const mine = ++asked;
    let answer;
    try {
      const response = await fetch("/matches?" + wanted, { cache: "no-store" });
      if (!response.ok) { return; }
      answer = await response.json();
    } catch (error) {
      return;  // the preview server is restarting; the next keystroke asks again
    }
    if (mine !== asked) { return; }  // a later keystroke's answer is on its way
    const visible = new Set(answer.shown);
    let count = 0;
    for (const card of cards) {
      card.hidden = !visible.has(card.dataset.id);
      count += card.hidden ? 0 : 1;
    }
    shown.textContent = String(count);
    empty.hidden = count > 0;
    note.textContent = answer.note;
    note.hidden = !answer.note;
  }

  let typing;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(apply, 150);
  });
  tag.addEventListener("change", apply);
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });

  // A link such as /#q=cache&tag=scope sets the filters without loading the page again.
  const fromHash = new URLSearchParams(location.hash.slice(1));
  if (fromHash.has("tag") && ![...tag.options].some((o) => o.value === fromHash.get("tag"))) {
    tag.add(new Option(fromHash.get("tag"), fromHash.get("tag")));
  }
  if (fromHash.has("q")) { search.value = fromHash.get("q"); }
  if (fromHash.has("tag")) { tag.value = fromHash.get("tag"); }
  if (fromHash.has("q") || fromHash.has("tag")) { apply(); }

  const loaded = document.body.dataset.fingerprint;
  setInterval(async () => {
    try {
      const response = await fetch("/fingerprint", { cache: "no-store" });
      if (response.ok && (await response.text()).trim() !== loaded) { location.reload(); }
    } catch (error) {
      // The preview server is restarting; ask again next second.
    }
  }, 1000);
})();
