// Hugging Face tokenizers: ids and offsets against goldens written by Hugging Face's own library
// (tools/make_tokenizer_goldens.js) on every layout AttnScope reads, decoding, typed specials,
// and malformed files (tests/data/bad/tokenizers/manifest.json).
#include "core/bpe_tokenizer.h"
#include "core/errors.h"
#include "core/hf_tokenizer.h"
#include "core/wordpiece_tokenizer.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sstream>

using namespace attnscope;

namespace {

const std::string kData = ATTNSCOPE_SOURCE_DIR "/tests/data/tokenizers";
const std::string kBad = ATTNSCOPE_SOURCE_DIR "/tests/data/bad/tokenizers";

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// The GPT-2 tokenizer.json with its merges rewritten in the older "a b" string spelling.
std::string gpt2JsonStringMerges()
{
    nlohmann::json j = nlohmann::json::parse(readText(kData + "/gpt2/tokenizer.json"));
    nlohmann::json merges = nlohmann::json::array();
    for (const auto& m : j["model"]["merges"])
        merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
    j["model"]["merges"] = merges;
    return j.dump();
}

// GPT-2's tokenizer.json with RoBERTa's specials, RobertaProcessing and add_prefix_space: the
// same edit as robertaLike() in tools/make_tokenizer_goldens.js.
std::string robertaLikeJson()
{
    nlohmann::json j = nlohmann::json::parse(readText(kData + "/gpt2/tokenizer.json"));
    const char* specials[] = {"<s>", "<pad>", "</s>", "<unk>", "<mask>"};
    for (int i = 0; i < 5; ++i)
        j["added_tokens"].push_back({{"id", 50257 + i},
                                     {"content", specials[i]},
                                     {"single_word", false},
                                     {"lstrip", std::string(specials[i]) == "<mask>"},
                                     {"rstrip", false},
                                     {"normalized", false},
                                     {"special", true}});
    j["pre_tokenizer"]["add_prefix_space"] = true;
    j["post_processor"] = {{"type", "RobertaProcessing"},
                           {"sep", {"</s>", 50259}},
                           {"cls", {"<s>", 50257}},
                           {"trim_offsets", false},
                           {"add_prefix_space", true}};
    return j.dump();
}

// Copies the named files of a data folder into dir (so only that layout is present).
void copyInto(const QTemporaryDir& dir, const std::string& folder, std::initializer_list<const char*> files)
{
    for (const char* f : files) writeText(dir.path().toStdString() + "/" + f, readText(kData + "/" + folder + "/" + f));
}

// How a golden row's tokenizer is built: a layout and what it is read from.
HfTokenizer loadLayout(const QString& layout, QTemporaryDir& dir)
{
    const std::string d = dir.path().toStdString();
    if (layout == "gpt2 tokenizer.json (pairs)") copyInto(dir, "gpt2", {"tokenizer.json"});
    else if (layout == "gpt2 tokenizer.json (strings)") writeText(d + "/tokenizer.json", gpt2JsonStringMerges());
    else if (layout == "roberta-like tokenizer.json") writeText(d + "/tokenizer.json", robertaLikeJson());
    else if (layout == "roberta-like vocab.json + merges.txt") {
        // The older layout of the same tokenizer: the specials at the end of vocab.json, the prefix
        // space and <|endoftext|> from tokenizer_config.json, <mask>'s lstrip and <s> … </s> implied.
        nlohmann::json vocab = nlohmann::json::parse(readText(kData + "/gpt2/vocab.json"));
        const char* specials[] = {"<s>", "<pad>", "</s>", "<unk>", "<mask>"};
        for (int i = 0; i < 5; ++i) vocab[specials[i]] = 50257 + i;
        writeText(d + "/vocab.json", vocab.dump());
        copyInto(dir, "gpt2", {"merges.txt"});
        writeText(d + "/tokenizer_config.json", R"({"add_prefix_space": true, "added_tokens_decoder": {
            "50256": {"content": "<|endoftext|>", "lstrip": false, "rstrip": false, "special": true}}})");
    } else if (layout == "gpt2 vocab.json + merges.txt") copyInto(dir, "gpt2", {"vocab.json", "merges.txt"});
    else if (layout == "bert tokenizer.json") copyInto(dir, "bert-base-uncased", {"tokenizer.json"});
    else if (layout == "bert vocab.txt") copyInto(dir, "bert-base-uncased", {"vocab.txt"});
    else if (layout.endsWith("-like tokenizer.json") || layout.startsWith("metaspace-") || layout.endsWith("-nfc tokenizer.json") ||
             layout.endsWith("-nfkc tokenizer.json"))
        copyInto(dir, layout.section(' ', 0, 0).toStdString(), {"tokenizer.json"}); // the modern small-LM pipelines
    return loadHfTokenizer(d, HfTokenizerHint::Auto);
}

std::vector<int> withSpecials(const HfTokenizer& hf, const std::vector<Token>& tokens)
{
    std::vector<int> ids;
    for (const SpecialRole r : hf.prefix) ids.push_back(hf.tokenizer.vocab().special(r));
    for (const Token& t : tokens) ids.push_back(t.id);
    for (const SpecialRole r : hf.suffix) ids.push_back(hf.tokenizer.vocab().special(r));
    return ids;
}

QString idList(const std::vector<int>& ids)
{
    QStringList s;
    for (const int id : ids) s << QString::number(id);
    return "[" + s.join(", ") + "]";
}

bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

struct Golden {
    std::string text;
    std::vector<int> ids;
    std::vector<size_t> offsets; // begin0, end0, ... in bytes, as Hugging Face reports them
};

std::vector<Golden> readGolden(const std::string& file)
{
    std::vector<Golden> rows;
    for (const auto& r : nlohmann::json::parse(readText(file)))
        rows.push_back({r[0].get<std::string>(), r[1].get<std::vector<int>>(), r[2].get<std::vector<size_t>>()});
    return rows;
}

} // namespace

class TestHfTokenizer : public QObject {
    Q_OBJECT
private slots:
    void knownIds_data();
    void knownIds();
    void golden_data();
    void golden();
    void gpt2DecodeRoundTrip();
    void modernDecode_data();
    void modernDecode();
    void bertDecode();
    void pieces_data();
    void pieces();
    void specialsTyped_data();
    void specialsTyped();
    void robertaRoles();
    void lstripMask();
    void vocabTxtConfig_data();
    void vocabTxtConfig();
    void speed();
    void noTokenizerIsIoError();
    void malformed_data();
    void malformed();
};

void TestHfTokenizer::knownIds_data()
{
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QString>("text");
    QTest::addColumn<std::vector<int>>("ids"); // without the sequence's prefix and suffix
    for (const char* layout :
         {"gpt2 tokenizer.json (pairs)", "gpt2 tokenizer.json (strings)", "gpt2 vocab.json + merges.txt"}) {
        QTest::newRow(qPrintable(QString(layout) + ": Hello world"))
            << layout << "Hello world" << std::vector<int>{15496, 995};
        QTest::newRow(qPrintable(QString(layout) + ": space Hello world"))
            << layout << " Hello world" << std::vector<int>{18435, 995};
        QTest::newRow(qPrintable(QString(layout) + ": endoftext"))
            << layout << "<|endoftext|>" << std::vector<int>{50256};
    }
    for (const char* layout : {"bert tokenizer.json", "bert vocab.txt"}) {
        QTest::newRow(qPrintable(QString(layout) + ": specials"))
            << layout << "[CLS][SEP][MASK][UNK][PAD]" << std::vector<int>{101, 102, 103, 100, 0};
    }
}

void TestHfTokenizer::knownIds()
{
    QFETCH(QString, layout);
    QFETCH(QString, text);
    QFETCH(std::vector<int>, ids);
    QTemporaryDir dir;
    const HfTokenizer hf = loadLayout(layout, dir);
    std::vector<int> got;
    for (const Token& t : hf.tokenizer.tokenize(text.toStdString())) got.push_back(t.id);
    QCOMPARE(idList(got), idList(ids));
    QVERIFY(QString::fromStdString(hf.file).startsWith(dir.path()));
}

void TestHfTokenizer::golden_data()
{
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QString>("golden");
    QTest::addColumn<bool>("wholeCharOffsets"); // Hugging Face widens byte-level spans to whole characters
    for (const char* layout :
         {"gpt2 tokenizer.json (pairs)", "gpt2 tokenizer.json (strings)", "gpt2 vocab.json + merges.txt"})
        QTest::newRow(layout) << layout << "golden-gpt2.json" << true;
    QTest::newRow("roberta-like tokenizer.json") << "roberta-like tokenizer.json"
                                                 << "golden-roberta-like.json" << true;
    QTest::newRow("roberta-like vocab.json + merges.txt") << "roberta-like vocab.json + merges.txt"
                                                          << "golden-roberta-like.json" << true;
    for (const char* layout : {"bert tokenizer.json", "bert vocab.txt"})
        QTest::newRow(layout) << layout << "golden-bert.json" << false;
    // Modern small-LM pipelines (tools/tokenizer-reference/make_modern_goldens.js): byte-level
    // ones report byte spans (widened here as Hugging Face does), SentencePiece-style ones
    // Hugging Face's character spans exactly.
    for (const char* name : {"neox-like", "llama3-like", "qwen2-like", "qwen2-nfc", "neox-nfkc"})
        QTest::newRow(qPrintable(QString(name) + " tokenizer.json"))
            << QString(name) + " tokenizer.json" << "golden-" + QString(name) + ".json" << true;
    for (const char* name : {"llama2-like", "metaspace-always-split", "metaspace-first", "metaspace-never-split"})
        QTest::newRow(qPrintable(QString(name) + " tokenizer.json"))
            << QString(name) + " tokenizer.json" << "golden-" + QString(name) + ".json" << false;
}

void TestHfTokenizer::golden()
{
    QFETCH(QString, layout);
    QFETCH(QString, golden);
    QFETCH(bool, wholeCharOffsets);
    QTemporaryDir dir;
    const HfTokenizer hf = loadLayout(layout, dir);
    const std::vector<Golden> rows = readGolden(kData + "/" + golden.toStdString());
    QVERIFY(rows.size() > 300);
    size_t bytes = 0, tokens = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        const Golden& g = rows[i];
        bytes += g.text.size();
        const std::vector<Token> toks = hf.tokenizer.tokenize(g.text);
        tokens += toks.size();
        const std::vector<int> ids = withSpecials(hf, toks);
        if (ids != g.ids)
            QFAIL(qPrintable(QString("line %1: %2\n   got: %3\nwanted: %4")
                                 .arg(i)
                                 .arg(QString::fromStdString(nlohmann::json(g.text).dump()))
                                 .arg(idList(ids))
                                 .arg(idList(g.ids))));
        // Offsets: inside the text, in order, and Hugging Face's.
        size_t prevBegin = 0, prevEnd = 0;
        for (size_t k = 0; k < toks.size(); ++k) {
            const Token& t = toks[k];
            QVERIFY(t.begin <= t.end && t.end <= g.text.size());
            QVERIFY(t.begin >= prevBegin && t.end >= prevEnd);
            QVERIFY(!t.piece.empty());
            prevBegin = t.begin;
            prevEnd = t.end;
            size_t b = t.begin, e = t.end;
            if (wholeCharOffsets) {
                // A token of only the space add_prefix_space put in covers no byte here; Hugging
                // Face gives it the first character's span.
                if (b == e && e < g.text.size()) ++e;
                while (b > 0 && isContinuation(static_cast<unsigned char>(g.text[b]))) --b;
                while (e < g.text.size() && isContinuation(static_cast<unsigned char>(g.text[e]))) ++e;
            }
            const size_t j = hf.prefix.size() + k;
            if (b != g.offsets[2 * j] || e != g.offsets[2 * j + 1])
                QFAIL(qPrintable(QString("line %1, token %2 (%3): offsets [%4, %5), wanted [%6, %7)")
                                     .arg(i)
                                     .arg(k)
                                     .arg(QString::fromStdString(t.piece))
                                     .arg(b)
                                     .arg(e)
                                     .arg(g.offsets[2 * j])
                                     .arg(g.offsets[2 * j + 1])));
        }
        // Byte-level BPE covers the input without gaps, unless a normalizer composed characters
        // (the absorbed mark of "e" + U+0301 is covered by no token, as in Hugging Face).
        const bool composes = golden.contains(QStringLiteral("-nfc")) || golden.contains(QStringLiteral("-nfkc"));
        if (wholeCharOffsets && !toks.empty() && !hf.tokenizer.backend().options().lowercase && !composes &&
            g.text.find("<mask>") == std::string::npos) {
            QCOMPARE(toks.front().begin, size_t(0));
            QCOMPARE(toks.back().end, g.text.size());
            for (size_t k = 1; k < toks.size(); ++k) QCOMPARE(toks[k].begin, toks[k - 1].end);
        }
    }
    if (golden == "golden-gpt2.json" || golden == "golden-bert.json" || golden == "golden-llama2-like.json" ||
        golden == "golden-llama3-like.json")
        QVERIFY(bytes > 200'000);
    qInfo("%zu texts, %zu bytes, %zu tokens equal to Hugging Face's", rows.size(), bytes, tokens);
}

void TestHfTokenizer::gpt2DecodeRoundTrip()
{
    QTemporaryDir dir;
    const HfTokenizer hf = loadLayout("gpt2 tokenizer.json (pairs)", dir);
    for (const Golden& g : readGolden(kData + "/golden-gpt2.json")) {
        const std::string decoded = hf.tokenizer.decode(g.ids, /*keepSpecials=*/true);
        if (decoded != g.text)
            QFAIL(qPrintable("decode differs for " + QString::fromStdString(nlohmann::json(g.text).dump())));
    }
    // Specials dropped unless kept; bytes that are no valid UTF-8 on their own become U+FFFD.
    QCOMPARE(hf.tokenizer.decode({15496, 50256, 995}), std::string("Hello world"));
    const std::vector<Token> smile = hf.tokenizer.tokenize("\xF0\x9F\x98\x80"); // U+1F600, two byte tokens
    QCOMPARE(smile.size(), size_t(2));
    QCOMPARE(hf.tokenizer.decode({smile[0].id}), std::string("\xEF\xBF\xBD"));
    QCOMPARE(smile[0].text, std::string("\xEF\xBF\xBD"));
    QCOMPARE(smile[0].end, smile[1].begin);
    // Invalid input bytes are encoded byte by byte and come back as U+FFFD.
    const std::vector<Token> bad = hf.tokenizer.tokenize("a\xFF"
                                                         "b");
    std::vector<int> ids;
    for (const Token& t : bad) ids.push_back(t.id);
    QCOMPARE(hf.tokenizer.decode(ids), std::string("a\xEF\xBF\xBD"
                                                   "b"));
}

void TestHfTokenizer::modernDecode_data()
{
    QTest::addColumn<QString>("name");
    for (const char* name : {"neox-like", "llama3-like", "qwen2-like", "qwen2-nfc", "neox-nfkc", "llama2-like", "metaspace-always-split",
                             "metaspace-first", "metaspace-never-split"})
        QTest::newRow(name) << name;
}

void TestHfTokenizer::modernDecode()
{
    // Decode (specials skipped) of every golden row's ids, as Hugging Face's decoder gives it:
    // ByteLevel; Replace + ByteFallback + Fuse + Strip; Metaspace.
    QFETCH(QString, name);
    QTemporaryDir dir;
    const HfTokenizer hf = loadLayout(name + " tokenizer.json", dir);
    size_t rows = 0;
    for (const auto& r : nlohmann::json::parse(readText(kData + "/golden-" + name.toStdString() + ".json"))) {
        const std::string text = r[0].get<std::string>();
        const std::string wanted = r[3].is_null() ? text : r[3].get<std::string>();
        const std::string decoded = hf.tokenizer.decode(r[1].get<std::vector<int>>());
        if (decoded != wanted) {
            size_t at = 0;
            while (at < decoded.size() && at < wanted.size() && decoded[at] == wanted[at]) ++at;
            at = at > 20 ? at - 20 : 0;
            QFAIL(qPrintable("decode differs for row " + QString::number(rows) + " from byte " + QString::number(at) +
                             ": got " + QString::fromStdString(nlohmann::json(lossyUtf8(decoded.substr(at, 60))).dump()) +
                             ", wanted " + QString::fromStdString(nlohmann::json(lossyUtf8(wanted.substr(at, 60))).dump())));
        }
        ++rows;
    }
    QVERIFY(rows > 300);
}

void TestHfTokenizer::bertDecode()
{
    // Expected strings from Hugging Face's decoder (tokenizers 0.23.2, skip_special_tokens=false).
    QTemporaryDir dir;
    const HfTokenizer hf = loadLayout("bert tokenizer.json", dir);
    const std::vector<int> ids{101, 7592, 1010, 2088, 999, 2009, 1005, 1055, 102};
    QCOMPARE(hf.tokenizer.decode(ids, true), std::string("[CLS] hello, world! it ' s [SEP]"));
    QCOMPARE(hf.tokenizer.decode(ids), std::string("hello, world! it ' s"));
    QCOMPARE(hf.tokenizer.decode({14477, 20961, 3468, 2652}), std::string("unaffable playing"));
}

void TestHfTokenizer::pieces_data()
{
    // Pieces and offsets as Hugging Face reports them (tokenizers 0.23.2).
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("pieces");
    QTest::addColumn<QStringList>("texts");
    QTest::newRow("gpt2") << "gpt2 tokenizer.json (pairs)"
                          << "Hello world" << QStringList{"Hello", "Ġworld"} << QStringList{"Hello", " world"};
    QTest::newRow("bert subwords") << "bert tokenizer.json"
                                   << "unaffable playing" << QStringList{"una", "##ffa", "##ble", "playing"}
                                   << QStringList{"una", "ffa", "ble", "playing"};
    QTest::newRow("bert accents and case") << "bert tokenizer.json" << QString::fromUtf8("Café") << QStringList{"cafe"}
                                           << QStringList{QString::fromUtf8("Café")};
}

void TestHfTokenizer::pieces()
{
    QFETCH(QString, layout);
    QFETCH(QString, text);
    QFETCH(QStringList, pieces);
    QFETCH(QStringList, texts);
    QTemporaryDir dir;
    const HfTokenizer hf = loadLayout(layout, dir);
    QStringList gotPieces, gotTexts;
    for (const Token& t : hf.tokenizer.tokenize(text.toStdString())) {
        gotPieces << QString::fromStdString(t.piece);
        gotTexts << QString::fromStdString(t.text);
    }
    QCOMPARE(gotPieces, pieces);
    QCOMPARE(gotTexts, texts);
}

void TestHfTokenizer::specialsTyped_data()
{
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("index"); // of the special token among the tokens
    QTest::addColumn<int>("id");
    QTest::addColumn<int>("begin");
    QTest::newRow("bert mask") << "bert tokenizer.json"
                               << "Paris is the [MASK] of France." << 3 << 103 << 13;
    QTest::newRow("bert mask glued") << "bert vocab.txt"
                                     << "x[MASK]y" << 1 << 103 << 1;
    QTest::newRow("bert lower-case mask is text") << "bert tokenizer.json"
                                                  << "[mask]" << 1 << 7308 << 1;
    QTest::newRow("gpt2 endoftext") << "gpt2 tokenizer.json (pairs)"
                                    << "a<|endoftext|>b" << 1 << 50256 << 1;
    QTest::newRow("gpt2 endoftext files") << "gpt2 vocab.json + merges.txt"
                                          << "a <|endoftext|>" << 2 << 50256 << 2;
}

void TestHfTokenizer::specialsTyped()
{
    QFETCH(QString, layout);
    QFETCH(QString, text);
    QFETCH(int, index);
    QFETCH(int, id);
    QFETCH(int, begin);
    QTemporaryDir dir;
    const HfTokenizer hf = loadLayout(layout, dir);
    const std::vector<Token> tokens = hf.tokenizer.tokenize(text.toStdString());
    QVERIFY(size_t(index) < tokens.size());
    const Token& t = tokens[size_t(index)];
    QCOMPARE(t.id, id);
    QCOMPARE(int(t.begin), begin);
    QCOMPARE(t.special, hf.tokenizer.vocab().isSpecial(id));
    if (t.special) QCOMPARE(t.text, hf.tokenizer.vocab().token(id));
}

void TestHfTokenizer::robertaRoles()
{
    QTemporaryDir dir;
    const HfTokenizer hf = loadLayout("roberta-like tokenizer.json", dir);
    const Vocabulary& v = hf.tokenizer.vocab();
    QCOMPARE(hf.prefix, std::vector<SpecialRole>{SpecialRole::Bos});
    QCOMPARE(hf.suffix, std::vector<SpecialRole>{SpecialRole::Eos});
    QCOMPARE(v.special(SpecialRole::Bos), 50257);
    QCOMPARE(v.special(SpecialRole::Cls), 50257);
    QCOMPARE(v.special(SpecialRole::Pad), 50258);
    QCOMPARE(v.special(SpecialRole::Eos), 50259);
    QCOMPARE(v.special(SpecialRole::Sep), 50259);
    QCOMPARE(v.special(SpecialRole::Unk), 50260);
    QCOMPARE(v.special(SpecialRole::Mask), 50261);
    QTemporaryDir bert;
    const HfTokenizer b = loadLayout("bert tokenizer.json", bert);
    QCOMPARE(b.prefix, std::vector<SpecialRole>{SpecialRole::Cls});
    QCOMPARE(b.suffix, std::vector<SpecialRole>{SpecialRole::Sep});
    QTemporaryDir gpt2;
    const HfTokenizer g = loadLayout("gpt2 tokenizer.json (pairs)", gpt2);
    QVERIFY(g.prefix.empty() && g.suffix.empty());
    for (const SpecialRole r : {SpecialRole::Bos, SpecialRole::Eos, SpecialRole::Unk})
        QCOMPARE(g.tokenizer.vocab().special(r), 50256);
}

void TestHfTokenizer::lstripMask()
{
    // RoBERTa's "<mask>" has lstrip: the space before it belongs to the mask, not to a "Ġ" token.
    nlohmann::json j = nlohmann::json::parse(readText(kData + "/gpt2/tokenizer.json"));
    j["added_tokens"].push_back({{"id", 50257},
                                 {"content", "<mask>"},
                                 {"special", true},
                                 {"lstrip", true},
                                 {"rstrip", false},
                                 {"normalized", false},
                                 {"single_word", false}});
    const HfTokenizer hf = parseHfTokenizerJson(j.dump(), "tokenizer.json");
    QCOMPARE(hf.tokenizer.vocab().size(), 50258);
    QCOMPARE(hf.tokenizer.vocab().special(SpecialRole::Mask), 50257);
    const std::vector<Token> tokens = hf.tokenizer.tokenize("Hello <mask>!");
    QCOMPARE(tokens.size(), size_t(3));
    QCOMPARE(tokens[0].id, 15496);
    QCOMPARE(tokens[1].id, 50257);
    QCOMPARE(tokens[1].begin, size_t(5));
    QCOMPARE(tokens[1].end, size_t(12));
    QCOMPARE(tokens[2].id, 0); // "!"
}

void TestHfTokenizer::vocabTxtConfig_data()
{
    // Expected ids from Hugging Face's tokenizers 0.23.2 with the BertNormalizer flags the
    // config stands for (lowercase / strip_accents of bert-base-uncased's tokenizer.json edited).
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("text");
    QTest::addColumn<std::vector<int>>("ids");
    QTest::newRow("default lower-case") << "" << QString::fromUtf8("Hello café world")
                                        << std::vector<int>{7592, 7668, 2088};
    QTest::newRow("cased, accents stripped")
        << R"({"do_lower_case": false, "strip_accents": true})" << QString::fromUtf8("Hello café world")
        << std::vector<int>{100, 7668, 2088};
    QTest::newRow("cased, accents stripped 2") << R"({"do_lower_case": false, "strip_accents": true})"
                                               << QString::fromUtf8("naïve Ångström") << std::vector<int>{15743, 100};
    QTest::newRow("cased, accents kept") << R"({"do_lower_case": false})" << QString::fromUtf8("Hello café World")
                                         << std::vector<int>{100, 100, 100};
}

void TestHfTokenizer::vocabTxtConfig()
{
    QFETCH(QString, config);
    QFETCH(QString, text);
    QFETCH(std::vector<int>, ids);
    QTemporaryDir dir;
    copyInto(dir, "bert-base-uncased", {"vocab.txt"});
    if (!config.isEmpty()) writeText(dir.path().toStdString() + "/tokenizer_config.json", config.toStdString());
    const HfTokenizer hf = loadHfTokenizer(dir.path().toStdString(), HfTokenizerHint::WordPiece);
    std::vector<int> got;
    for (const Token& t : hf.tokenizer.tokenize(text.toStdString())) got.push_back(t.id);
    QCOMPARE(idList(got), idList(ids));
    QCOMPARE(hf.prefix, std::vector<SpecialRole>{SpecialRole::Cls});
    QCOMPARE(hf.suffix, std::vector<SpecialRole>{SpecialRole::Sep});
}

void TestHfTokenizer::speed()
{
    QTemporaryDir dir;
    const HfTokenizer hf = loadLayout("gpt2 tokenizer.json (pairs)", dir);
    std::string text;
    for (const Golden& g : readGolden(kData + "/golden-gpt2.json")) text += g.text + "\n";
    text.resize(200'000);
    QElapsedTimer timer;
    timer.start();
    const size_t n = hf.tokenizer.tokenize(text).size();
    const qint64 ms = timer.elapsed();
    qInfo("GPT-2: 200 kB in %lld ms (%zu tokens), cold cache", ms, n);
    QVERIFY2(ms < 2000, "tokenizing 200 kB took over 2 s"); // ~0.1 s here; slack for a loaded machine
}

void TestHfTokenizer::noTokenizerIsIoError()
{
    QTemporaryDir dir;
    QVERIFY_THROWS_EXCEPTION(IoError, loadHfTokenizer(dir.path().toStdString(), HfTokenizerHint::Auto));
    copyInto(dir, "bert-base-uncased", {"vocab.txt"});
    QVERIFY_THROWS_EXCEPTION(IoError, loadHfTokenizer(dir.path().toStdString(), HfTokenizerHint::ByteLevelBpe));
}

void TestHfTokenizer::malformed_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");
    const nlohmann::json manifest = nlohmann::json::parse(readText(kBad + "/manifest.json"));
    QVERIFY(manifest["cases"].size() >= 10);
    for (const auto& c : manifest["cases"]) {
        const QString folder = QString::fromStdString(c["folder"].get<std::string>());
        QTest::newRow(qPrintable(folder)) << folder << QString::fromStdString(c["file"].get<std::string>())
                                          << QString::fromStdString(c["path"].get<std::string>())
                                          << QString::fromStdString(c["message"].get<std::string>());
    }
}

void TestHfTokenizer::malformed()
{
    QFETCH(QString, folder);
    QFETCH(QString, file);
    QFETCH(QString, path);
    QFETCH(QString, message);
    const std::string dir = kBad + "/" + folder.toStdString();
    try {
        loadHfTokenizer(dir, HfTokenizerHint::Auto);
        QFAIL("the tokenizer loaded");
    } catch (const ModelError& e) {
        QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(dir) + "/" + file);
        QCOMPARE(QString::fromStdString(e.jsonPath()), path);
        QVERIFY2(QString::fromStdString(e.message()).startsWith(message),
                 qPrintable("\n   got: " + QString::fromStdString(e.message()) + "\nwanted: " + message));
        QVERIFY(!QString::fromStdString(e.what()).contains('\n'));
    }
}

QTEST_APPLESS_MAIN(TestHfTokenizer)
#include "test_hf_tokenizer.moc"
