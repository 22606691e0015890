// See html_export.h. Payload: every stored weight as q = round(w·1000) (uint16), stack by stack,
// layer by layer, head by head (the mean of heads last); causal heads keep only their lower
// triangle (j ≤ i). The values are split into a low-byte plane and a high-byte plane (q ≤ 1000
// needs 2 bits there, nearly all 0), zlib-deflated and base64-encoded; the page inflates them
// with the browser's DecompressionStream("deflate"). A 12 × 12 causal model at 128 tokens is
// 1.29 M values.
#include "core/html_export.h"

#include "core/errors.h"
#include "core/html_export_page.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace attnscope {

namespace {

constexpr const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64Encode(const unsigned char* data, size_t n)
{
    std::string out;
    out.reserve((n + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        const std::uint32_t v = (std::uint32_t(data[i]) << 16) | (std::uint32_t(data[i + 1]) << 8) | data[i + 2];
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += kB64[v & 63];
    }
    if (i < n) {
        const std::uint32_t v = (std::uint32_t(data[i]) << 16) | (i + 1 < n ? std::uint32_t(data[i + 1]) << 8 : 0);
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += i + 1 < n ? kB64[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::vector<unsigned char> base64Decode(const std::string& s)
{
    std::array<int, 256> value;
    value.fill(-1);
    for (int k = 0; k < 64; ++k) value[static_cast<unsigned char>(kB64[k])] = k;
    std::vector<unsigned char> out;
    out.reserve(s.size() / 4 * 3);
    std::uint32_t acc = 0;
    int bits = 0;
    size_t pad = 0;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            ++pad;
            continue;
        }
        if (pad > 0 || value[c] < 0) throw IoError("interactive HTML: invalid base64 in the weights block");
        acc = (acc << 6) | std::uint32_t(value[c]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>((acc >> bits) & 0xff));
        }
    }
    if (pad > 2) throw IoError("interactive HTML: invalid base64 padding in the weights block");
    return out;
}

// The text between <script … id="ID" …> and the next </script>; npos-safe.
std::string scriptBlock(const std::string& html, const std::string& id)
{
    const std::string marker = "id=\"" + id + "\"";
    const size_t at = html.find(marker);
    if (at == std::string::npos) throw IoError("interactive HTML: no \"" + id + "\" block (not an AttnScope export?)");
    const size_t open = html.find('>', at);
    if (open == std::string::npos) throw IoError("interactive HTML: the \"" + id + "\" block is not closed");
    const size_t close = html.find("</script>", open);
    if (close == std::string::npos) throw IoError("interactive HTML: the \"" + id + "\" block is not closed");
    return html.substr(open + 1, close - open - 1);
}

std::string htmlEscape(const std::string& s)
{
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

void replaceOnce(std::string& s, const std::string& what, const std::string& with)
{
    const size_t at = s.find(what);
    if (at != std::string::npos) s.replace(at, what.size(), with);
}

bool lowerTriangle(const HtmlStack& s, const MatrixRM& m) { return s.causal && m.rows() == m.cols(); }

size_t storedCount(bool triangle, Eigen::Index tq, Eigen::Index tk)
{
    return triangle ? size_t(tq) * size_t(tq + 1) / 2 : size_t(tq) * size_t(tk);
}

void checkShapes(const HtmlExport& doc)
{
    if (doc.stacks.empty()) throw UsageError("interactive HTML: the run has no attention to export");
    if (doc.colors.size() < 2) throw UsageError("interactive HTML: the colour map needs at least 2 colours");
    for (const HtmlStack& s : doc.stacks) {
        if (s.heads.empty() || s.heads.front().empty())
            throw UsageError("interactive HTML: the " + s.name + " stack has no heads");
        if (!s.meanOfHeads.empty() && s.meanOfHeads.size() != s.heads.size())
            throw UsageError("interactive HTML: the " + s.name + " stack needs one mean of heads per layer");
        const auto tq = Eigen::Index(s.queryLabels.size()), tk = Eigen::Index(s.keyLabels.size());
        auto check = [&](const MatrixRM& m) {
            if (m.rows() != tq || m.cols() != tk)
                throw UsageError("interactive HTML: the " + s.name + " stack's matrices are " +
                                 std::to_string(m.rows()) + " x " + std::to_string(m.cols()) + ", its labels " +
                                 std::to_string(tq) + " x " + std::to_string(tk));
        };
        for (const auto& layer : s.heads) {
            if (layer.size() != s.heads.front().size())
                throw UsageError("interactive HTML: the " + s.name + " stack's layers differ in head count");
            for (const MatrixRM& m : layer) check(m);
        }
        for (const MatrixRM& m : s.meanOfHeads) check(m);
    }
}

} // namespace

int quantiseWeight(float w)
{
    // w · 1000 is exact in double (a float has 24 significant bits, 1000 needs 10), and so is
    // + 0.5: halves round up on the float's exact value, as the app's hover text (Qt's 'f'
    // formatting) and JavaScript's toFixed do.
    const double x = std::clamp(double(w), 0.0, 1.0) * kHtmlWeightScale;
    return std::isnan(x) ? 0 : int(std::floor(x + 0.5));
}

std::string interactiveHtml(const HtmlExport& doc)
{
    checkShapes(doc);
    std::vector<std::uint16_t> values;
    nlohmann::json stacks = nlohmann::json::array();
    for (const HtmlStack& s : doc.stacks) {
        const MatrixRM& first = s.heads.front().front();
        const bool triangle = lowerTriangle(s, first);
        const size_t perHead = storedCount(triangle, first.rows(), first.cols());
        const size_t offset = values.size();
        auto store = [&](const MatrixRM& m) {
            for (Eigen::Index i = 0; i < m.rows(); ++i)
                for (Eigen::Index j = 0; j < (triangle ? i + 1 : m.cols()); ++j)
                    values.push_back(static_cast<std::uint16_t>(quantiseWeight(m(i, j))));
        };
        for (size_t l = 0; l < s.heads.size(); ++l) {
            for (const MatrixRM& m : s.heads[l]) store(m);
            if (!s.meanOfHeads.empty()) store(s.meanOfHeads[l]);
        }
        stacks.push_back({{"name", s.name},
                          {"title", s.title},
                          {"query_axis", s.queryAxis},
                          {"query_labels", s.queryLabels},
                          {"key_labels", s.keyLabels},
                          {"causal", s.causal},
                          {"packing", triangle ? "lower" : "full"},
                          {"layers", s.heads.size()},
                          {"heads", s.heads.front().size()},
                          {"mean", !s.meanOfHeads.empty()},
                          {"tq", first.rows()},
                          {"tk", first.cols()},
                          {"offset", offset},
                          {"per_head", perHead}});
    }
    // Byte planes: all low bytes, then all high bytes.
    const size_t n = values.size();
    std::vector<unsigned char> planes(2 * n);
    for (size_t k = 0; k < n; ++k) {
        planes[k] = static_cast<unsigned char>(values[k] & 0xff);
        planes[n + k] = static_cast<unsigned char>(values[k] >> 8);
    }
    uLongf packedSize = compressBound(uLong(planes.size()));
    std::vector<unsigned char> packed(packedSize);
    if (compress2(packed.data(), &packedSize, planes.data(), uLong(planes.size()), Z_BEST_COMPRESSION) != Z_OK)
        throw IoError("interactive HTML: compressing the weights failed");

    nlohmann::json colors = nlohmann::json::array();
    for (const std::uint32_t c : doc.colors) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "#%06x", unsigned(c & 0xffffff));
        colors.push_back(hex);
    }
    nlohmann::json meta = {{"format", "attnscope-html"},
                           {"version", 1},
                           {"generator", std::string("AttnScope ") + ATTNSCOPE_VERSION},
                           {"model", doc.modelName},
                           {"description", doc.modelDescription},
                           {"architecture", doc.architecture},
                           {"input", doc.input},
                           {"target", doc.target},
                           {"output", doc.output},
                           {"warnings", doc.warnings},
                           {"colormap", {{"name", doc.colormapName}, {"colors", colors}}},
                           {"log_floor", doc.logFloor},
                           {"scale", kHtmlWeightScale},
                           {"values", n},
                           {"stacks", stacks},
                           {"initial",
                            {{"stack", doc.initialStack},
                             {"layer", doc.initialLayer},
                             {"head", doc.initialHead},
                             {"log", doc.initialLog}}}};
    // Inside <script type="application/json"> only "</script" could end the block early: every
    // '<' is written as \u003c, which JSON.parse reads back as '<' (it only occurs in strings).
    std::string metaText;
    for (const char c : meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) {
        if (c == '<') metaText += "\\u003c";
        else metaText += c;
    }

    const std::string script = kHtmlPageScript;
    const std::string style = kHtmlPageStyle;
    const std::string csp = "default-src 'none'; script-src 'sha256-" + sha256Base64(script) + "'; style-src 'sha256-" +
                            sha256Base64(style) +
                            "'; img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'";
    std::string page = kHtmlPageTemplate;
    replaceOnce(page, "@CSP@", csp);
    replaceOnce(page, "@TITLE@", htmlEscape("AttnScope · " + doc.modelName));
    replaceOnce(page, "@STYLE@", style);
    replaceOnce(page, "@META@", metaText);
    replaceOnce(page, "@WEIGHTS@", base64Encode(packed.data(), packedSize));
    replaceOnce(page, "@SCRIPT@", script);
    return page;
}

HtmlPayload decodeInteractiveHtml(const std::string& html)
{
    HtmlPayload out;
    try {
        out.meta = nlohmann::json::parse(scriptBlock(html, "attnscope-meta"));
    } catch (const nlohmann::json::exception& e) {
        throw IoError(std::string("interactive HTML: the metadata block is not JSON: ") + e.what());
    }
    const std::vector<unsigned char> packed = base64Decode(scriptBlock(html, "attnscope-weights"));
    try {
        const nlohmann::json& meta = out.meta;
        if (!meta.is_object() || meta.value("format", "") != "attnscope-html")
            throw IoError("interactive HTML: the metadata block is not an attnscope-html document");
        const size_t n = meta.at("values").get<size_t>();
        // Deflate shrinks at most ~1032:1, so a count beyond that is not this block's (and would
        // only allocate memory for nothing).
        if (n > (size_t(1) << 30) || 2 * n > packed.size() * 1100 + 64)
            throw IoError("interactive HTML: implausible value count " + std::to_string(n));
        std::vector<unsigned char> planes(2 * n);
        uLongf size = uLongf(planes.size());
        if (uncompress(planes.data(), &size, packed.data(), uLong(packed.size())) != Z_OK || size != planes.size())
            throw IoError("interactive HTML: the weights block does not inflate to " + std::to_string(n) + " values");
        for (const nlohmann::json& s : meta.at("stacks")) {
            const auto layers = s.at("layers").get<size_t>(), heads = s.at("heads").get<size_t>();
            const auto tq = s.at("tq").get<Eigen::Index>(), tk = s.at("tk").get<Eigen::Index>();
            const bool triangle = s.at("packing").get<std::string>() == "lower";
            if (tq < 0 || tk < 0 || tq > 65536 || tk > 65536 || (triangle && tq != tk) || layers > 4096 ||
                heads > 4096 || layers * (heads + 1) > (size_t(1) << 20))
                throw IoError("interactive HTML: implausible stack shape");
            const size_t perHead = storedCount(triangle, tq, tk);
            const size_t stored = heads + (s.at("mean").get<bool>() ? 1 : 0);
            size_t at = s.at("offset").get<size_t>();
            if (perHead != s.at("per_head").get<size_t>() || at > n || layers * stored * perHead > n - at)
                throw IoError("interactive HTML: stack " + s.at("name").get<std::string>() +
                              " lies outside the weights");
            std::vector<std::vector<MatrixRM>> stackWeights(layers);
            for (auto& layer : stackWeights) {
                for (size_t h = 0; h < stored; ++h) {
                    MatrixRM m = MatrixRM::Zero(tq, tk);
                    for (Eigen::Index i = 0; i < tq; ++i)
                        for (Eigen::Index j = 0; j < (triangle ? i + 1 : tk); ++j, ++at)
                            m(i, j) = float(planes[at] | (planes[n + at] << 8)) / float(kHtmlWeightScale);
                    layer.push_back(std::move(m));
                }
            }
            out.weights.push_back(std::move(stackWeights));
        }
    } catch (const nlohmann::json::exception& e) {
        throw IoError(std::string("interactive HTML: malformed metadata: ") + e.what());
    }
    return out;
}

// FIPS 180-4 SHA-256, for the CSP's script and style hashes.
std::string sha256Base64(const std::string& bytes)
{
    static constexpr std::uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::string msg = bytes;
    const std::uint64_t bits = std::uint64_t(bytes.size()) * 8;
    msg += char(0x80);
    while (msg.size() % 64 != 56) msg += char(0);
    for (int s = 56; s >= 0; s -= 8) msg += char((bits >> s) & 0xff);
    auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
    for (size_t block = 0; block < msg.size(); block += 64) {
        std::uint32_t w[64];
        for (int t = 0; t < 16; ++t)
            w[t] = (std::uint32_t(static_cast<unsigned char>(msg[block + 4 * t])) << 24) |
                   (std::uint32_t(static_cast<unsigned char>(msg[block + 4 * t + 1])) << 16) |
                   (std::uint32_t(static_cast<unsigned char>(msg[block + 4 * t + 2])) << 8) |
                   std::uint32_t(static_cast<unsigned char>(msg[block + 4 * t + 3]));
        for (int t = 16; t < 64; ++t) {
            const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
            const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int t = 0; t < 64; ++t) {
            const std::uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[t] + w[t];
            const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
    }
    unsigned char digest[32];
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<unsigned char>((h[i] >> (24 - 8 * j)) & 0xff);
    return base64Encode(digest, 32);
}

} // namespace attnscope
