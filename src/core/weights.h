// All weights of a model in one owning float block; each named tensor is a view into it
// (the llm.c layout). Costly copies are explicit: Weights is move-only.
#pragma once

#include "core/tensor.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

class Weights {
public:
    struct Entry {
        size_t offset = 0;
        std::vector<int> shape;
        size_t size() const;
    };

    Weights() = default;
    Weights(Weights&&) noexcept = default;
    Weights& operator=(Weights&&) noexcept = default;
    Weights(const Weights&) = delete;
    Weights& operator=(const Weights&) = delete;

    // Declares a tensor; call allocate() after the last declaration.
    void declare(const std::string& name, std::vector<int> shape);
    void allocate();

    // Alternative to declare/allocate: tensors that live in an external read-only block (a
    // memory-mapped safetensors file). `offset` is in floats from `base`; `keepAlive` owns the
    // mapping. mutableData() must not be used on such weights.
    void adopt(const float* base, size_t floatCount, std::shared_ptr<const void> keepAlive);
    void declareAt(const std::string& name, std::vector<int> shape, size_t offset);

    bool has(const std::string& name) const { return m_entries.count(name) != 0; }
    const Entry& entry(const std::string& name) const { return m_entries.at(name); }
    const std::map<std::string, Entry>& entries() const { return m_entries; }

    float* mutableData(const std::string& name);
    const float* data(const std::string& name) const;
    // 2-D tensor as a row-major matrix view ([out, in] for Linear weights).
    ConstMatrixMap matrix(const std::string& name) const;
    // 1-D tensor as a row vector view.
    ConstRowVectorMap vector(const std::string& name) const;

    // Number of parameters (sum of tensor sizes).
    size_t totalSize() const;
    bool isMapped() const { return m_keepAlive != nullptr; }

private:
    const float* base() const { return m_keepAlive ? m_base : m_data.data(); }

    std::vector<float> m_data;
    const float* m_base = nullptr;
    size_t m_baseCount = 0;
    std::shared_ptr<const void> m_keepAlive;
    std::map<std::string, Entry> m_entries;
};

} // namespace attnscope
