// Writes the tokenizer.json files of the "modern small LM" pipelines (SentencePiece-style BPE with
// byte fallback as Llama 2 / TinyLlama / Mistral ship it; byte-level BPE with the Llama 3 / Qwen2
// Split regex; GPT-NeoX's ByteLevel) and their goldens, with Hugging Face's tokenizers library as
// the reference (docs/tokenizers.md "Tests"). The C++ tests never need node.
//
//   cd tools/tokenizer-reference && npm ci && node make_modern_goldens.js
//
// The vocabularies are trained here by a plain BPE trainer (most frequent pair first; ties by
// first occurrence) on half of the texts of tests/data/tokenizers/golden-gpt2.json; only the
// library's encoding and decoding of the result matter. Golden rows:
// [text, ids, [begin0, end0, ...] (UTF-8 bytes), decoded text or null when equal to text].
"use strict";
const path = require("path");
const fs = require("fs");
const { Tokenizer } = require(path.join(__dirname, "node_modules", "tokenizers"));

const root = path.join(__dirname, "..", "..");
const dataDir = path.join(root, "tests", "data", "tokenizers");

const baseTexts = JSON.parse(fs.readFileSync(path.join(dataDir, "golden-gpt2.json"), "utf8")).map((r) => r[0]);
const extra = [
  "▁already▁has▁metaspace", "a ▁ b", "▁", "▁▁", " ▁x", "<0x41> is not a byte token when typed",
  "digits 1 12 123 1234 12345 123456 1234567 9876543210", "Ⅻ²³ ٣٤٥ 12.5% 3,000,000", "x1y22z333w4444",
  "new\nline", "two\n\nnewlines", "\n\n\nthree", "crlf\r\n\r\n", "trailing spaces   ", "   leading", "a   b    c",
  "tabs\t\tand\t spaces \t", "mixed \n \n  \t\n", "nbsp\u00a0\u00a0twice", "ideographic\u3000\u3000space",
  "I'M YOU'RE THEY'VE HE'LL SHE'D IT'S DON'T", "It'S mIxEd 'Ll 'vE", "O'Reilly's rock'n'roll", "'tis 'twas",
  "$$$ !!! ??? ... --- ___ *** ###", "a+b=c\r\nd*e/f", "\"quoted\"\n'single'\n`back`", "(parens) [brackets] {braces}",
  "emoji 😀😃😄 and 👨‍👩‍👧‍👦 and 🇯🇵 and 🏳️‍🌈", "中文字符和English混合", "日本語とEnglishの混在です。", "한국어와 English",
  "Ελληνικά και English", "Русский и English", "Tiếng Việt và English", "Zürich Ærø Ćevapi Łódź Şişli",
  "<s>", "</s>", "<unk>", "<s>Hello</s>", "Hello <s> world", " <s> ", "<s><s>", "x</s>y",
  "<|begin_of_text|>Hello", "Hello<|end_of_text|>", "<|begin_of_text|><|end_of_text|>",
  "a [ls] b", "a  [ls]b", "a [rs]  b", "a\t[ls]\t[rs]\tb", "[ls][rs]", "\u3000[ls]\u3000",
  "hello world", "helloworld", "say hello!", "hello_world", "xhello hellox hello.", "(hello)", "hello\nhello",
  "New York", "in New York City", "NewYork", "New  York", "I like new york",
  "<fim>code</fim>", "a<fim>b", "<fim> <fim>",
];
const texts = [...baseTexts, ...extra];
// Texts that Unicode normalisation changes (for the NFC / NFKC pipelines): decomposed and
// precomposed accents, marks in non-canonical order, Hangul jamo, compatibility forms, Tibetan
// vowels that decompose to marks, composition exclusions. Not U+32FF (Unicode 12.1): the
// library's tables are older than utf8proc's (Unicode 15) and leave it alone (docs/tokenizers.md).
const normalExtra = [
  "e\u0301 \u00e9 E\u0301\u0323 e\u0323\u0301 a\u030a\u0301", "Cafe\u0301 na\u0131\u0308ve Zu\u0308rich",
  "o\u0308\u0304 \u022b \u1e69 s\u0323\u0307 s\u0307\u0323", "x\u0301\u0323\u0301 q\u0307\u0323\u0307",
  "\u1100\u1161\u11a8 \u1100\u1161 \uac00\u11a8 \ud55c\uad6d\uc5b4 \u1112\u1161\u11ab",
  "\ufb01nance \ufb02ow \ufb00 \u2460\u2461\u2462 \u00bd \u2153 x\u00b2 \u2126 \u212b K",
  "\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 \uff11\uff12\uff13 \uff76\uff9e\uff76\uff9e",
  "\u0f40\u0f73 \u0f40\u0f71\u0f72 \u0f40\u0f74\u0f71 \u0958 \u0915\u093c \u2adc \u2add\u0338",
  "\u00c5 A\u030a \u212b \u1e9b\u0323 \u0344 \u0340\u0341 \u0374 \u037e \u0387",
  "\u3300 \u337f \ufe58 \u2024\u2025\u2026 \u00a0\u2002\u2003 \u3000x",
  "\u0061\u0328\u0301 \u0105\u0301 \u01eb\u0304 o\u0328\u0304 \u1e16 E\u0304\u0301",
  "\u05d1\u05bc \ufb31 \u0627\u0653 \u0622 \u0648\u0654 \u0624 \u09c7\u09be \u09cb",
  "a\u0301b\u0301c\u0301d\u0301 \u1ea0\u0306 \u1eb6",
];

function byteOffsets(text, offsets) {
  const at = [0];
  for (const ch of text) at.push(at[at.length - 1] + Buffer.byteLength(ch, "utf8"));
  const flat = [];
  for (const [b, e] of offsets) flat.push(at[b], at[e]);
  return flat;
}

// ---- a plain BPE trainer -----------------------------------------------------------------------
function train(wordCounts, alphabet, nMerges) {
  const words = [...wordCounts.entries()].map(([w, n]) => ({ syms: w, n }));
  const merges = [];
  for (let m = 0; m < nMerges; ++m) {
    const counts = new Map();
    for (const w of words)
      for (let i = 0; i + 1 < w.syms.length; ++i) {
        const k = w.syms[i] + "\u0000" + w.syms[i + 1];
        counts.set(k, (counts.get(k) || 0) + w.n);
      }
    let best = null, bestN = 1;
    for (const [k, n] of counts) if (n > bestN) { best = k; bestN = n; }
    if (!best) break;
    const [a, b] = best.split("\u0000");
    merges.push([a, b]);
    for (const w of words) {
      const out = [];
      for (let i = 0; i < w.syms.length; ++i) {
        if (i + 1 < w.syms.length && w.syms[i] === a && w.syms[i + 1] === b) { out.push(a + b); ++i; }
        else out.push(w.syms[i]);
      }
      w.syms = out;
    }
  }
  return merges;
}

const trainTexts = baseTexts.filter((_, i) => i % 2 === 1);

// SentencePiece-style: "▁" + text with spaces as "▁", words start at each "▁"; rare characters
// stay out of the alphabet so byte fallback is exercised.
function trainSentencePiece() {
  const charCount = new Map();
  const wc = new Map();
  for (const t of trainTexts) {
    const s = "▁" + t.replace(/ /g, "▁");
    for (const ch of s) charCount.set(ch, (charCount.get(ch) || 0) + 1);
    for (const w of s.split(/(?=▁)/u)) if (w) wc.set(w, (wc.get(w) || 0) + 1);
  }
  const alphabet = [...charCount.entries()].filter(([, n]) => n >= 30).map(([c]) => c).sort();
  const inAlpha = new Set(alphabet);
  const words = new Map();
  for (const [w, n] of wc) {
    const syms = [...w].map((c) => (inAlpha.has(c) ? c : "\u0001"));
    const key = syms;
    words.set(key, n);
  }
  const merges = train(words, alphabet, 1500).filter(([a, b]) => !a.includes("\u0001") && !b.includes("\u0001"));
  const vocab = { "<unk>": 0, "<s>": 1, "</s>": 2 };
  for (let b = 0; b < 256; ++b) vocab["<0x" + b.toString(16).toUpperCase().padStart(2, "0") + ">"] = 3 + b;
  for (const c of alphabet) if (!(c in vocab)) vocab[c] = Object.keys(vocab).length;
  const keptMerges = [];
  for (const [a, b] of merges) {
    if (!(a in vocab) || !(b in vocab)) continue;
    keptMerges.push([a, b]);
    if (!(a + b in vocab)) vocab[a + b] = Object.keys(vocab).length;
  }
  return { vocab, merges: keptMerges };
}

function byteSymbols() {
  const printable = (b) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
  const table = [];
  let next = 256;
  for (let b = 0; b < 256; ++b) table.push(String.fromCodePoint(printable(b) ? b : next++));
  return table;
}

const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

function trainByteLevel() {
  const sym = byteSymbols();
  // JS has no (?i:...) group; the case variants are spelt out (training only).
  const js = new RegExp("'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]|" + LLAMA3.slice(LLAMA3.indexOf(")|") + 2), "gu");
  const wc = new Map();
  for (const t of trainTexts)
    for (const m of t.matchAll(js)) {
      const w = [...Buffer.from(m[0], "utf8")].map((b) => sym[b]).join("");
      wc.set(w, (wc.get(w) || 0) + 1);
    }
  const words = new Map();
  for (const [w, n] of wc) words.set([...w], n);
  const merges = train(words, sym, 2000);
  const vocab = {};
  for (const s of sym) vocab[s] = Object.keys(vocab).length;
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = Object.keys(vocab).length;
  return { vocab, merges };
}

// ---- tokenizer.json files ----------------------------------------------------------------------
function added(id, content, special, o = {}) {
  return { id, content, single_word: !!o.single_word, lstrip: !!o.lstrip, rstrip: !!o.rstrip,
    normalized: o.normalized === undefined ? !special : o.normalized, special };
}
function bpeModel(m, o) {
  return { type: "BPE", dropout: null, unk_token: o.unk || null, continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: !!o.fuse_unk, byte_fallback: !!o.byte_fallback, ignore_merges: !!o.ignore_merges, vocab: m.vocab, merges: m.merges };
}
function template(tok, id) {
  return { type: "TemplateProcessing", single: [{ SpecialToken: { id: tok, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
    pair: [{ SpecialToken: { id: tok, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }],
    special_tokens: { [tok]: { id: tok, ids: [id], tokens: [tok] } } };
}

function llama2(sp) {
  const n = Object.keys(sp.vocab).length;
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [added(0, "<unk>", true), added(1, "<s>", true), added(2, "</s>", true),
      added(n, "New York", false, { normalized: true }), added(n + 1, "<fim>", false, { normalized: false, rstrip: true })],
    normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "▁" }, { type: "Replace", pattern: { String: " " }, content: "▁" }] },
    pre_tokenizer: null,
    post_processor: template("<s>", 1),
    decoder: { type: "Sequence", decoders: [{ type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" },
      { type: "Strip", content: " ", start: 1, stop: 0 }] },
    model: bpeModel(sp, { unk: "<unk>", fuse_unk: true, byte_fallback: true }),
  };
}
function metaspace(sp, scheme, split) {
  const j = llama2(sp);
  j.added_tokens = j.added_tokens.slice(0, 3);
  j.normalizer = null;
  j.pre_tokenizer = { type: "Metaspace", replacement: "▁", prepend_scheme: scheme, split };
  j.decoder = { type: "Metaspace", replacement: "▁", prepend_scheme: scheme, split };
  return j;
}
function llama3(bl, pattern) {
  const n = Object.keys(bl.vocab).length;
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [added(n, "<|begin_of_text|>", true), added(n + 1, "<|end_of_text|>", true),
      added(n + 2, "[ls]", false, { lstrip: true }), added(n + 3, "[rs]", true, { rstrip: true }),
      added(n + 4, "hello", false, { single_word: true, normalized: false })],
    normalizer: null,
    pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: pattern }, behavior: "Isolated", invert: false },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false }] },
    post_processor: template("<|begin_of_text|>", n),
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: bpeModel(bl, { ignore_merges: true }),
  };
}
function neox(bl) {
  const n = Object.keys(bl.vocab).length;
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [added(n, "<|endoftext|>", true), added(n + 1, "<|padding|>", true)],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: bpeModel(bl, {}),
  };
}

async function golden(name, json, rows) {
  const dir = path.join(dataDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "tokenizer.json");
  fs.writeFileSync(file, JSON.stringify(json));
  const tok = Tokenizer.fromFile(file);
  const out = [];
  let tokens = 0;
  for (const text of rows) {
    const enc = await tok.encode(text);
    const ids = enc.getIds();
    tokens += ids.length;
    const decoded = await tok.decode(ids, true);
    out.push([text, ids, byteOffsets(text, enc.getOffsets()), decoded === text ? null : decoded]);
  }
  const goldenFile = path.join(dataDir, "golden-" + name + ".json");
  fs.writeFileSync(goldenFile, "[\n" + out.map((r) => JSON.stringify(r)).join(",\n") + "\n]\n");
  const bytes = rows.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
  console.log(`${name}: ${rows.length} texts, ${bytes} bytes of text, ${tokens} tokens; tokenizer.json ${fs.statSync(file).size} bytes`);
}

(async () => {
  const sp = trainSentencePiece();
  const bl = trainByteLevel();
  // The hand-written lines and every other text of the GPT-2 golden: the full set (all its texts)
  // for the two main pipelines, every 5th for the variants.
  const fewer = [...extra, ...baseTexts.filter((_, i) => i < 130 || i % 5 === 0)];
  await golden("llama2-like", llama2(sp), texts);
  await golden("metaspace-always-split", metaspace(sp, "always", true), fewer);
  await golden("metaspace-first", metaspace(sp, "first", false), fewer);
  await golden("metaspace-never-split", metaspace(sp, "never", true), fewer);
  await golden("llama3-like", llama3(bl, LLAMA3), texts);
  await golden("qwen2-like", llama3(bl, QWEN2), fewer);
  await golden("neox-like", neox(bl), fewer);
  // Qwen2 ships an NFC normalizer before its Split + ByteLevel (its added tokens are not
  // normalised); NFKC in a Sequence in front of NeoX's ByteLevel covers the other forms' path.
  const nfc = llama3(bl, QWEN2);
  nfc.normalizer = { type: "NFC" };
  for (const a of nfc.added_tokens) a.normalized = false;
  await golden("qwen2-nfc", nfc, [...normalExtra, ...fewer]);
  const nfkc = neox(bl);
  nfkc.normalizer = { type: "Sequence", normalizers: [{ type: "NFKC" }] };
  await golden("neox-nfkc", nfkc, [...normalExtra, ...fewer]);
})();
