// Tokenizer tables: char and word splitting, lowercasing, specials, unknowns, UTF-8.
#include "core/tokenizer.h"

#include <QtTest>

using namespace attnscope;

Q_DECLARE_METATYPE(std::vector<std::string>)

namespace {

Tokenizer makeTokenizer(TokenizerKind kind, bool lowercase, bool splitPunct)
{
    Vocabulary v({"<pad>", "<unk>", "<s>", "</s>", "[MASK]", "a", "b", "c", "é", "日", "本", "the", "cat", ",", ".", "sat",
                  "!", "ab"});
    v.setSpecial(SpecialRole::Pad, 0);
    v.setSpecial(SpecialRole::Unk, 1);
    v.setSpecial(SpecialRole::Bos, 2);
    v.setSpecial(SpecialRole::Eos, 3);
    v.setSpecial(SpecialRole::Mask, 4);
    TokenizerOptions o;
    o.kind = kind;
    o.lowercase = lowercase;
    o.splitPunctuation = splitPunct;
    return Tokenizer(o, v);
}

std::vector<std::string> pieces(const std::vector<Token>& tokens)
{
    std::vector<std::string> out;
    for (const Token& t : tokens) out.push_back(t.unknown ? "?" + t.text : t.text);
    return out;
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private slots:
    void split_data();
    void split();
    void roundTripChar();
    void roundTripWord();
    void invalidUtf8BecomesReplacement();
    void noUnkTokenGivesMinusOne();
    void offsetsAndPieces_data();
    void offsetsAndPieces();
    void copiesShareTheBackend();
};

void TestTokenizer::split_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<bool>("lowercase");
    QTest::addColumn<bool>("splitPunct");
    QTest::addColumn<QString>("text");
    QTest::addColumn<std::vector<std::string>>("expected");

    const int ch = int(TokenizerKind::Char), wd = int(TokenizerKind::Word);
    QTest::newRow("char plain") << ch << false << true << "abc" << std::vector<std::string>{"a", "b", "c"};
    QTest::newRow("char unknown") << ch << false << true << "aXb" << std::vector<std::string>{"a", "?X", "b"};
    QTest::newRow("char lowercase") << ch << true << true << "AbC" << std::vector<std::string>{"a", "b", "c"};
    QTest::newRow("char multibyte") << ch << false << true << QString::fromUtf8("é日本")
                                    << std::vector<std::string>{"é", "日", "本"};
    QTest::newRow("char emoji unknown") << ch << false << true << QString::fromUtf8("a😀")
                                        << std::vector<std::string>{"a", "?😀"};
    QTest::newRow("char special verbatim") << ch << false << true << "a[MASK]b"
                                           << std::vector<std::string>{"a", "[MASK]", "b"};
    QTest::newRow("char empty") << ch << false << true << "" << std::vector<std::string>{};
    QTest::newRow("word spaces") << wd << false << true << "  the   cat\tsat\n"
                                 << std::vector<std::string>{"the", "cat", "sat"};
    QTest::newRow("word punctuation") << wd << false << true << "the cat, sat."
                                      << std::vector<std::string>{"the", "cat", ",", "sat", "."};
    QTest::newRow("word no punct split") << wd << false << false << "cat, sat"
                                         << std::vector<std::string>{"?cat,", "sat"};
    QTest::newRow("word lowercase") << wd << true << true << "The CAT!"
                                    << std::vector<std::string>{"the", "cat", "!"};
    QTest::newRow("word case kept") << wd << false << true << "The" << std::vector<std::string>{"?The"};
    QTest::newRow("word special inside") << wd << false << true << "the [MASK] sat"
                                         << std::vector<std::string>{"the", "[MASK]", "sat"};
    QTest::newRow("word special glued") << wd << false << true << "cat</s>"
                                        << std::vector<std::string>{"cat", "</s>"};
    QTest::newRow("word non-ascii") << wd << false << true << QString::fromUtf8("日本 ab")
                                    << std::vector<std::string>{"?日本", "ab"};
}

void TestTokenizer::split()
{
    QFETCH(int, kind);
    QFETCH(bool, lowercase);
    QFETCH(bool, splitPunct);
    QFETCH(QString, text);
    QFETCH(std::vector<std::string>, expected);
    const Tokenizer t = makeTokenizer(static_cast<TokenizerKind>(kind), lowercase, splitPunct);
    const std::vector<Token> tokens = t.tokenize(text.toStdString());
    QCOMPARE(pieces(tokens), expected);
    for (const Token& tok : tokens) {
        if (tok.unknown) QCOMPARE(tok.id, 1);
        else QCOMPARE(t.vocab().token(tok.id), tok.special ? tok.text : tok.text);
    }
}

void TestTokenizer::roundTripChar()
{
    const Tokenizer t = makeTokenizer(TokenizerKind::Char, false, true);
    const std::string text = "abcé日本ba";
    std::vector<int> ids;
    for (const Token& tok : t.tokenize(text)) ids.push_back(tok.id);
    QCOMPARE(t.decode(ids), text);
    ids.insert(ids.begin(), 2);
    ids.push_back(3);
    QCOMPARE(t.decode(ids), text);                       // specials skipped
    QCOMPARE(t.decode(ids, true), "<s>" + text + "</s>"); // or kept
}

void TestTokenizer::roundTripWord()
{
    const Tokenizer t = makeTokenizer(TokenizerKind::Word, false, true);
    std::vector<int> ids;
    for (const Token& tok : t.tokenize("the cat sat ab")) ids.push_back(tok.id);
    QCOMPARE(t.decode(ids), std::string("the cat sat ab"));
}

void TestTokenizer::invalidUtf8BecomesReplacement()
{
    const std::string bad = std::string("a\xff") + "b\xc3"; // stray byte and truncated sequence
    const auto cps = splitCodePoints(bad);
    QCOMPARE(cps.size(), size_t(4));
    QCOMPARE(cps[1], std::string("\xEF\xBF\xBD"));
    QCOMPARE(cps[3], std::string("\xEF\xBF\xBD"));
    QCOMPARE(sanitizeUtf8("\xed\xa0\x80"), std::string("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")); // surrogate
    QCOMPARE(sanitizeUtf8("\xc0\xaf"), std::string("\xEF\xBF\xBD\xEF\xBF\xBD"));                 // overlong
    const Tokenizer t = makeTokenizer(TokenizerKind::Char, false, true);
    const auto tokens = t.tokenize(bad);
    QCOMPARE(tokens.size(), size_t(4));
    QVERIFY(tokens[1].unknown);
}

void TestTokenizer::noUnkTokenGivesMinusOne()
{
    TokenizerOptions o;
    const Tokenizer t(o, Vocabulary({"a", "b"}));
    const auto tokens = t.tokenize("abz");
    QCOMPARE(tokens.size(), size_t(3));
    QCOMPARE(tokens[2].id, -1);
    QVERIFY(tokens[2].unknown);
}

void TestTokenizer::offsetsAndPieces_data()
{
    // Each token as "begin-end:piece" (byte offsets into the input, vocabulary string).
    QTest::addColumn<int>("kind");
    QTest::addColumn<bool>("lowercase");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected");
    const int ch = int(TokenizerKind::Char), wd = int(TokenizerKind::Word);
    QTest::newRow("char multibyte") << ch << false << QString::fromUtf8("aé日")
                                    << QStringList{"0-1:a", QString::fromUtf8("1-3:é"), QString::fromUtf8("3-6:日")};
    QTest::newRow("char special") << ch << false << "a[MASK]b" << QStringList{"0-1:a", "1-7:[MASK]", "7-8:b"};
    QTest::newRow("char unknown is unk") << ch << false << "aX" << QStringList{"0-1:a", "1-2:<unk>"};
    QTest::newRow("word spaces") << wd << false << "  the   cat" << QStringList{"2-5:the", "8-11:cat"};
    QTest::newRow("word lowercase keeps span") << wd << true << "The CAT!"
                                               << QStringList{"0-3:the", "4-7:cat", "7-8:!"};
    QTest::newRow("word special glued") << wd << false << "cat</s>" << QStringList{"0-3:cat", "3-7:</s>"};
}

void TestTokenizer::offsetsAndPieces()
{
    QFETCH(int, kind);
    QFETCH(bool, lowercase);
    QFETCH(QString, text);
    QFETCH(QStringList, expected);
    const Tokenizer t = makeTokenizer(static_cast<TokenizerKind>(kind), lowercase, true);
    QStringList got;
    for (const Token& tok : t.tokenize(text.toStdString()))
        got << QString("%1-%2:%3").arg(tok.begin).arg(tok.end).arg(QString::fromStdString(tok.piece));
    QCOMPARE(got, expected);
}

void TestTokenizer::copiesShareTheBackend()
{
    const Tokenizer a = makeTokenizer(TokenizerKind::Word, false, true);
    const Tokenizer b = a;
    QCOMPARE(&a.backend(), &b.backend());
    QCOMPARE(&a.vocab(), &b.vocab());
    const Tokenizer empty;
    QCOMPARE(empty.vocab().size(), 0);
    QVERIFY(empty.tokenize("").empty());
    QCOMPARE(QString(toString(TokenizerKind::WordPiece)), QString("wordpiece"));
}

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
