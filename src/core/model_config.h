// The architecture block of a model file (docs/model-format.md) as a validated struct.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace attnscope {

enum class ArchType { Encoder, Decoder, EncoderDecoder };
enum class Activation { Relu, Gelu, GeluTanh, Silu }; // GeluTanh: the tanh approximation (GPT-2's "gelu_new");
                                                       // Silu: x·σ(x) (the gate of Llama's SwiGLU)
enum class NormPosition { Pre, Post };
enum class Positional { Sinusoidal, Learned, Rotary }; // Rotary: no table; q and k rotated (RoPE)
enum class NormKind { LayerNorm, RmsNorm };            // RmsNorm: x / rms(x) · weight, no bias

// Documented caps (docs/model-format.md, "Limits"); checked before anything is allocated.
constexpr int kMaxDModel = 4096;
constexpr int kMaxHeads = 128;
constexpr int kMaxDFf = 65536;
constexpr int kMaxLayers = 64;
constexpr int kMaxLen = 8192;
constexpr int kMaxVocab = 1000000;

struct ModelConfig {
    ArchType type = ArchType::Encoder;
    int dModel = 0;
    int nHeads = 0;
    int dFf = 0;
    int encoderLayers = 0;
    int decoderLayers = 0;
    Activation activation = Activation::Relu;
    NormPosition norm = NormPosition::Post;
    float layerNormEps = 1e-5f;
    Positional positional = Positional::Sinusoidal;
    int maxLen = 0;
    bool bias = true;
    bool tiedOutput = false;
    bool scaleEmbeddings = false;
    bool finalNorm = false;

    // Format v2 options (docs/model-format.md, "Version 2"); the defaults are version 1's
    // behaviour. They describe the checkpoint families of docs/hf-checkpoints.md as data.
    int typeVocab = 0;            // token-type (segment) embeddings `S.type.weight` [typeVocab, d]; 0: none
    int positionOffset = 0;       // learned positions: position i reads row i + offset (RoBERTa: 2)
    bool embedNorm = false;       // LayerNorm `S.embed_norm` over the summed embeddings (BERT)
    std::optional<bool> headBias; // `lm_head.bias`; unset: present exactly when `bias` is (version 1)
    bool headTransform = false;   // Linear + activation + LayerNorm before the output projection
                                  // (`lm_head.transform`, `lm_head.transform_norm`: BERT's MLM head)
    std::optional<Activation> headActivation; // the transform's; unset: `activation` (RoBERTa: always gelu)
    bool lmHead = true;           // false: no output head at all (a bare BertModel): no logits, the
                                  // forward pass returns the top stack's hidden states instead

    // Llama / Qwen2 / GPT-NeoX options (docs/model-format.md, "Version 2").
    NormKind normKind = NormKind::LayerNorm; // every norm of the model (layers, final, embedding)
    int nKvHeads = 0;             // grouped-query attention: key/value heads (0: nHeads); query head h
                                  // reads key/value head h / (nHeads / nKvHeads)
    float ropeTheta = 10000.0f;   // rotary base
    float rotaryFraction = 1.0f;  // the first ⌊d_head · fraction⌋ (even) dims of each head rotate (NeoX)
    float ropeScale = 1.0f;       // linear rope_scaling: positions divided by this factor
    bool gatedFfn = false;        // SwiGLU: linear2(act(gate_proj(x)) ⊙ linear1(x)); `S.layers.i.gate_proj`
    bool parallelResidual = false; // x + attn(norm1(x)) + ffn(norm2(x)) (GPT-NeoX), pre-norm only
    std::optional<bool> qkvBias;  // biases of q/k/v projections; unset: `bias` (Qwen2: true with bias false)

    // Vision transformers (ViT, docs/vit.md): imageChannels > 0 makes the encoder's input an image
    // (C, H, W) instead of ids. Its embedding step is a patch projection (a Conv2d with kernel =
    // stride = patch, `encoder.patch` [d, C·ph·pw]) over the gridRows × gridCols patches, a learned
    // [CLS] row (`encoder.cls` [1, d]) put first, then learned positions (`encoder.pos`, maxLen =
    // patches + 1 rows). The output head (class logits) reads position 0.
    int imageChannels = 0;
    int imageHeight = 0, imageWidth = 0;
    int patchHeight = 0, patchWidth = 0;

    int dHead() const { return dModel / nHeads; }
    int kvHeads() const { return nKvHeads > 0 ? nKvHeads : nHeads; }
    int kvDim() const { return kvHeads() * dHead(); }
    bool hasQkvBias() const { return qkvBias.value_or(bias); }
    // Rotated dims of each head (even), 0 without rotary positions.
    int rotaryDims() const
    {
        if (positional != Positional::Rotary) return 0;
        const int r = static_cast<int>(static_cast<float>(dHead()) * rotaryFraction);
        return r - r % 2;
    }
    bool isVision() const { return imageChannels > 0; }
    int gridRows() const { return patchHeight > 0 ? imageHeight / patchHeight : 0; }
    int gridCols() const { return patchWidth > 0 ? imageWidth / patchWidth : 0; }
    int patchDim() const { return imageChannels * patchHeight * patchWidth; } // values per patch
    bool hasEncoder() const { return type != ArchType::Decoder; }
    bool hasDecoder() const { return type != ArchType::Encoder; }
    bool hasCrossAttention() const { return type == ArchType::EncoderDecoder; }
    bool hasHeadBias() const { return lmHead && headBias.value_or(bias); }
    Activation transformActivation() const { return headActivation.value_or(activation); }
    // Rows of a learned position table.
    int positionRows() const { return maxLen + positionOffset; }
};

std::string toString(ArchType type);
std::string toString(Activation activation);
std::string toString(NormPosition norm);
std::string toString(Positional positional);
std::string toString(NormKind kind);

// One tensor the architecture requires, with its PyTorch-style name and shape.
struct TensorSpec {
    std::string name;
    std::vector<int> shape;
};

// Every tensor a model with this config and these vocabulary sizes must contain, in a
// stable order (embeddings, encoder layers, decoder layers, norms, head).
std::vector<TensorSpec> requiredTensors(const ModelConfig& config, int sourceVocab, int targetVocab);

} // namespace attnscope
