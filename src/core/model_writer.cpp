#include "core/model_writer.h"

#include "core/errors.h"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace attnscope {

namespace fs = std::filesystem;

namespace {

// Tokenizer files of a checkpoint folder that loadHfTokenizer reads.
constexpr const char* kTokenizerFiles[] = {"tokenizer.json", "vocab.json", "merges.txt", "vocab.txt",
                                           "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"};

[[noreturn]] void ioFail(const fs::path& path, const std::string& what)
{
    throw IoError(path.string() + ": " + what);
}

void writeSafetensors(const Weights& weights, const fs::path& path)
{
    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}, {"writer", "attnscope-cli convert"}};
    size_t offset = 0;
    for (const auto& [name, entry] : weights.entries()) {
        const size_t bytes = entry.size() * sizeof(float);
        header[name] = {{"dtype", "F32"}, {"shape", entry.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    // Pad the header with spaces so the data starts on an 8-byte boundary: every tensor is then
    // 4-byte aligned and the loader maps it without a copy.
    text.append((8 - (8 + text.size()) % 8) % 8, ' ');
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) ioFail(path, "cannot be written");
    unsigned char length[8];
    uint64_t n = text.size();
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(n >> (8 * i));
    out.write(reinterpret_cast<const char*>(length), 8);
    out.write(text.data(), std::streamsize(text.size()));
    for (const auto& [name, entry] : weights.entries())
        out.write(reinterpret_cast<const char*>(weights.data(name)), std::streamsize(entry.size() * sizeof(float)));
    out.close();
    if (!out) ioFail(path, "could not be written completely (disk full?)");
}

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) ioFail(path, "cannot be written");
    out << text;
    out.close();
    if (!out) ioFail(path, "could not be written completely (disk full?)");
}

} // namespace

nlohmann::ordered_json architectureJson(const ModelConfig& c, int vocabRows, int tokenizerVocab)
{
    nlohmann::ordered_json a;
    a["type"] = toString(c.type);
    a["d_model"] = c.dModel;
    a["n_heads"] = c.nHeads;
    a["d_ff"] = c.dFf;
    a["encoder_layers"] = c.encoderLayers;
    a["decoder_layers"] = c.decoderLayers;
    a["activation"] = toString(c.activation);
    a["norm"] = toString(c.norm);
    a["layer_norm_eps"] = double(c.layerNormEps); // a float's exact value: read back bit for bit
    a["positional"] = toString(c.positional);
    a["max_len"] = c.maxLen;
    a["bias"] = c.bias;
    a["tied_output"] = c.tiedOutput;
    a["scale_embeddings"] = c.scaleEmbeddings;
    a["final_norm"] = c.finalNorm;
    a["type_vocab_size"] = c.typeVocab;
    a["position_offset"] = c.positionOffset;
    a["embedding_norm"] = c.embedNorm;
    if (c.headBias) a["head_bias"] = *c.headBias;
    a["head_transform"] = c.headTransform;
    if (c.headActivation) a["head_activation"] = toString(*c.headActivation);
    a["lm_head"] = c.lmHead;
    a["norm_kind"] = toString(c.normKind);
    if (c.nKvHeads > 0) a["n_kv_heads"] = c.nKvHeads;
    if (c.positional == Positional::Rotary) {
        a["rope_theta"] = double(c.ropeTheta);
        a["rotary_fraction"] = double(c.rotaryFraction);
        a["rope_scale"] = double(c.ropeScale);
    }
    a["gated_ffn"] = c.gatedFfn;
    a["parallel_residual"] = c.parallelResidual;
    if (c.qkvBias) a["qkv_bias"] = *c.qkvBias;
    if (vocabRows != tokenizerVocab) a["vocab_size"] = vocabRows;
    return a;
}

WrittenModel writeModelFile(const Model& model, const std::string& jsonPath)
{
    if (model.format != "huggingface")
        throw UsageError("convert reads a Hugging Face checkpoint folder (config.json + model.safetensors); " +
                         model.path + " is " + (model.format == "attnscope" ? "already an AttnScope model file" : model.format));
    if (model.config.type == ArchType::EncoderDecoder)
        throw UsageError("convert supports encoder-only and decoder-only models");
    if (model.config.isVision())
        throw UsageError("convert does not write vision models yet (format 2 has no image keys); open the ViT "
                         "folder itself");

    const fs::path json = fs::absolute(jsonPath);
    std::string stem = json.filename().string();
    for (const char* suffix : {".attnscope-model.json", ".json"})
        if (stem.size() > std::strlen(suffix) && stem.compare(stem.size() - std::strlen(suffix), std::string::npos, suffix) == 0) {
            stem.resize(stem.size() - std::strlen(suffix));
            break;
        }
    const fs::path dir = json.parent_path();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) ioFail(dir, "no such folder");
    WrittenModel w;
    w.json = json.string();
    w.sidecar = (dir / (stem + ".safetensors")).string();
    w.tokenizerFolder = (dir / (stem + ".tokenizer")).string();
    const std::string tmp = ".tmp-convert";
    const fs::path sidecarTmp = w.sidecar + tmp, jsonTmp = w.json + tmp, tokTmp = w.tokenizerFolder + tmp;
    auto cleanUp = [&] {
        std::error_code e;
        fs::remove(sidecarTmp, e);
        fs::remove(jsonTmp, e);
        fs::remove_all(tokTmp, e);
    };
    try {
        // The tokenizer: its files copied as they are (none for a folder without them: the
        // converted model then takes token ids, as the folder did).
        const bool hasTokenizer = !model.tokenizerFile.empty();
        const fs::path source = fs::path(model.tokenizerFile).parent_path();
        fs::remove_all(tokTmp, ec);
        if (hasTokenizer && !fs::create_directory(tokTmp, ec)) ioFail(tokTmp, "cannot be created: " + ec.message());
        if (hasTokenizer)
            for (const char* name : kTokenizerFiles)
            if (fs::exists(source / name, ec)) {
                fs::copy_file(source / name, tokTmp / name, fs::copy_options::overwrite_existing, ec);
                if (ec) ioFail(tokTmp / name, "cannot be written: " + ec.message());
                w.bytes += fs::file_size(tokTmp / name, ec);
            }
        writeSafetensors(model.weights, sidecarTmp);
        w.bytes += fs::file_size(sidecarTmp, ec);

        const char* embed = model.config.hasEncoder() ? "encoder.embed.weight" : "decoder.embed.weight";
        const int tokenizerVocab = model.sourceTokenizer.vocab().size();
        const int rows = model.weights.has(embed) ? model.weights.entry(embed).shape[0] : tokenizerVocab;
        nlohmann::ordered_json doc;
        doc["format"] = "attnscope-model";
        doc["version"] = 2;
        doc["name"] = model.name;
        doc["description"] = model.description.empty()
                                 ? "Converted from the Hugging Face folder " + model.path + " (" + model.family + ", " +
                                       model.dtype + ") by attnscope-cli convert."
                                 : model.description;
        doc["architecture"] = architectureJson(model.config, rows, hasTokenizer ? tokenizerVocab : -1);
        doc["tokenizer"] = hasTokenizer ? nlohmann::ordered_json{{"type", "huggingface"}, {"folder", stem + ".tokenizer"}}
                                        : nlohmann::ordered_json{{"type", "ids"}};
        doc["weights_file"] = stem + ".safetensors";
        doc["source"] = {{"format", model.format}, {"family", model.family}, {"dtype", model.dtype}, {"folder", model.path}};
        const std::string text = doc.dump(2) + "\n";
        writeText(jsonTmp, text);
        w.bytes += text.size();

        fs::rename(sidecarTmp, w.sidecar, ec);
        if (ec) ioFail(w.sidecar, "cannot be written: " + ec.message());
        fs::remove_all(w.tokenizerFolder, ec);
        if (hasTokenizer) {
            fs::rename(tokTmp, w.tokenizerFolder, ec);
            if (ec) ioFail(w.tokenizerFolder, "cannot be written: " + ec.message());
        } else {
            w.tokenizerFolder.clear();
        }
        fs::rename(jsonTmp, w.json, ec);
        if (ec) ioFail(w.json, "cannot be written: " + ec.message());
    } catch (...) {
        cleanUp();
        throw;
    }
    return w;
}

} // namespace attnscope
