// Writes tests/data/tokenizers/golden-gpt2.json, golden-bert.json and golden-roberta-like.json: ids
// and byte offsets that
// Hugging Face's own tokenizers library (npm package "tokenizers", Rust) gives for ~300 kB of
// varied text. The C++ tests compare AttnScope's tokenizers with these; they never need node.
//
//   cd tools/tokenizer-reference && npm ci && cd ../.. && node tools/make_tokenizer_goldens.js
//
// Text: King James Bible verses (Debian bible-kjv: `bible`), Debian fortunes
// (/usr/share/games/fortunes), and the hand-written lines below. Output, one JSON array per file:
// [[text, [ids...], [begin0, end0, begin1, end1, ...]], ...] with offsets in UTF-8 bytes
// (the library reports them in code points; they are converted here).
// "roberta-like" is GPT-2's tokenizer.json with RoBERTa's specials and post-processor added as
// robertaLike() below does; tests/core/test_hf_tokenizer.cpp makes the same edit.
"use strict";
const path = require("path");
const fs = require("fs");
const { execFileSync } = require("child_process");
const { Tokenizer } = require(path.join(__dirname, "tokenizer-reference", "node_modules", "tokenizers"));

const root = path.join(__dirname, "..");
const dataDir = path.join(root, "tests", "data", "tokenizers");

function kjvLines() {
  const out = execFileSync("bible", ["-l100000", "gen1:1-rev22:21"], { maxBuffer: 64 << 20 }).toString("utf8");
  const verses = [];
  for (const line of out.split("\n")) {
    const m = /^\s*\d+ (.*)$/.exec(line);
    if (m) verses.push(m[1]);
    else if (line.trim()) verses.push(line.trim()); // chapter headings, e.g. "Genesis 1"
  }
  const picked = [];
  for (let i = 0; i < verses.length; i += 19) picked.push(verses[i]);
  // A few multi-line entries: three verses joined by newlines.
  for (let i = 7; i + 3 < verses.length; i += 1501) picked.push(verses.slice(i, i + 3).join("\n"));
  return picked;
}

function fortunes() {
  const dir = "/usr/share/games/fortunes";
  const picked = [];
  for (const name of ["fortunes", "debian", "linux", "computers", "science", "wisdom", "literature"]) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    const all = fs.readFileSync(file, "utf8").split(/\n%\n/);
    for (let i = 0; i < all.length; i += 4) if (all[i].trim()) picked.push(all[i]);
  }
  return picked;
}

const handWritten = [
  "Hello world", " Hello world", "Hello  world", "hello world ", "  leading and trailing  ",
  "HELLO WORLD", "Hello, World!", "I'm sure you're right; they've said she'll go and he'd stay, it's done.",
  "'S 'T 'RE 'VE 'M 'LL 'D", "don't won't can't shouldn't y'all", "rock 'n' roll", "''quoted'' \"double\"",
  "café naïve Ångström résumé façade Zürich São Paulo", "Crème brûlée à la carte", "e\u0301 vs \u00e9 (combining acute)",
  "İstanbul ıi İI", "ΣΑΣ σας ΟΔΥΣΣΕΥΣ", "Straße STRASSE ẞ", "ﬁnance ﬂow ﬀ", "ǅemal ǈ ǋ",
  "中文注意力", "日本語のテキストです。", "注意力机制是Transformer的核心。", "한국어 텍스트 처리", "𠀀𠀁 𪜀 CJK ext B",
  "Ｆｕｌｌｗｉｄｔｈ　ＡＢＣ　１２３", "Привет, мир! Ёлка", "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก",
  "😀 😃 😄 😁", "👨‍👩‍👧‍👦 family", "👍🏽 thumbs", "🇩🇪🇫🇷🇯🇵 flags", "❤️ ✔️ ☺️", "a😀b😀c", "🏳️‍🌈",
  "tab\there", "\ttab first", "two\t\ttabs", "line one\nline two", "crlf\r\nline", "spaces     five", "   ",
  "a\u00a0b nbsp", "a\u3000b ideographic space", "a\u2028b line sep", "a\u0085b next line", "a\u200bb zero width",
  "a\u200db zwj", "\ufeffbom at start", "control\u0001chars\u0007here\u001f", "del\u007fchar", "nul\u0000inside",
  "private\ue000use", "unassigned\u0378cp", "replacement\ufffdchar", "soft\u00adhyphen", "vertical\u000btab\u000cff",
  "a".repeat(101), "b".repeat(100), "supercalifragilisticexpialidocious".repeat(4),
  "x".repeat(300) + " after", "Pneumonoultramicroscopicsilicovolcanoconiosis",
  "0 1 12 123 1234 12345 123456789", "3.14159 2,718 1e10 -42 +7", "٠١٢٣ ١٢٣ ४२ 〇一二", "½ ¾ ² ³ Ⅻ ⅷ",
  "2026-12-02 13:57:00 UTC", "$100 €50 £20 ¥1000 ₹500", "100% 50/50 a+b=c x*y^z", "user@example.com https://example.org/a?b=c&d=e",
  "#hashtag @mention ~tilde `backtick` |pipe| \\backslash", "<html><body>tag</body></html>", "{\"json\": [1, 2, 3]}",
  "...!!!???,,,;;;:::", "— – - ‐ ‒", "«guillemets» „quotes“ ‘single’ “double”", "¿Qué? ¡Sí!", "…ellipsis…",
  "snake_case camelCase PascalCase kebab-case SCREAMING_CASE", "C++ C# .NET node.js", "α β γ δ ε ∑ ∫ √ ∞ ≠ ≤",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐛𝐨𝐥𝐝", "Ω Å K (compatibility)", "ä ö ü Ä Ö Ü ß", "Æsir Œuvre ø Ø ł Ł đ Đ", "Tiếng Việt có dấu",
  "The quick brown fox jumps over the lazy dog.", "THE QUICK BROWN FOX", "tHe QuIcK bRoWn",
  "[MASK] is a special token", "Paris is the [MASK] of France.", "[CLS] hello [SEP] world [SEP]", "[PAD][PAD]", "[UNK]",
  "[mask] lower case", "x[MASK]y", "<|endoftext|>", "Hello<|endoftext|>World", "a <|endoftext|> b", "<|endoftext|><|endoftext|>",
  "<|endoftext", "<mask> <s> </s> <pad>", "", " ", "\n", "a", "?", "'", "'s", " 's",
  "Hello <mask>!", "The capital of France is <mask>.", "<mask>", " <mask>", "a  <mask>b", "<s>x</s>", "x<mask>",
];

// Code-point offsets -> UTF-8 byte offsets.
function byteOffsets(text, offsets) {
  const at = [0];
  for (const ch of text) at.push(at[at.length - 1] + Buffer.byteLength(ch, "utf8"));
  const flat = [];
  for (const [b, e] of offsets) flat.push(at[b], at[e]);
  return flat;
}

// GPT-2's tokenizer.json plus RoBERTa's special tokens (ids 50257..50261, "<mask>" with lstrip),
// RobertaProcessing (without offset trimming, which AttnScope does not do) and add_prefix_space.
function robertaLike(gpt2File) {
  const j = JSON.parse(fs.readFileSync(gpt2File, "utf8"));
  const specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"];
  specials.forEach((content, i) => j.added_tokens.push({
    id: 50257 + i, content, single_word: false, lstrip: content === "<mask>", rstrip: false, normalized: false, special: true,
  }));
  j.pre_tokenizer.add_prefix_space = true;
  j.post_processor = { type: "RobertaProcessing", sep: ["</s>", 50259], cls: ["<s>", 50257], trim_offsets: false, add_prefix_space: true };
  const out = path.join(require("os").tmpdir(), "attnscope-roberta-like.json");
  fs.writeFileSync(out, JSON.stringify(j));
  return out;
}

async function golden(tokenizerFile, texts, outFile) {
  const tok = Tokenizer.fromFile(tokenizerFile);
  const rows = [];
  for (const text of texts) {
    const enc = await tok.encode(text);
    rows.push([text, enc.getIds(), byteOffsets(text, enc.getOffsets())]);
  }
  fs.writeFileSync(outFile, "[\n" + rows.map((r) => JSON.stringify(r)).join(",\n") + "\n]\n");
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
  console.log(`${path.relative(root, outFile)}: ${rows.length} texts, ${bytes} bytes of text`);
}

(async () => {
  const texts = [...handWritten, ...kjvLines(), ...fortunes()];
  await golden(path.join(dataDir, "gpt2", "tokenizer.json"), texts, path.join(dataDir, "golden-gpt2.json"));
  await golden(path.join(dataDir, "bert-base-uncased", "tokenizer.json"), texts, path.join(dataDir, "golden-bert.json"));
  const fewer = [...handWritten, ...texts.slice(handWritten.length).filter((_, i) => i % 10 === 0)];
  await golden(robertaLike(path.join(dataDir, "gpt2", "tokenizer.json")), fewer, path.join(dataDir, "golden-roberta-like.json"));
})();
