// A safetensors file opened for reading (the Hugging Face weight format): memory-mapped, its
// header parsed and every entry bounds-checked once, tensors converted to float32 on request
// (F32 as is, F16 and BF16 widened exactly). Used by the Hugging Face folder loader.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

enum class TensorDtype { F32, F16, BF16, Other };
const char* toString(TensorDtype dtype);

class SafetensorsFile {
public:
    struct Tensor {
        std::string name;
        std::string dtypeName;        // as written in the header ("F32", "I64", ...)
        TensorDtype dtype = TensorDtype::Other;
        std::vector<long long> shape; // may be 0-D (a scalar buffer)
        size_t begin = 0, end = 0;    // byte range within the data section
        size_t count() const;         // number of elements
    };

    // Maps `path` and checks the header: length within the file, JSON object, every entry an
    // object with dtype, shape and data_offsets inside the data, no two ranges overlapping, and
    // for F32/F16/BF16 a byte length equal to the shape's. Throws IoError when the file cannot be
    // read and ModelError(path, JSON pointer into the header, …) for anything inconsistent.
    explicit SafetensorsFile(const std::string& path);
    // The same checks on bytes in memory (fuzzing, tests); `name` stands for the file in errors.
    static SafetensorsFile fromBytes(std::shared_ptr<const std::string> bytes, const std::string& name);

    const std::string& path() const { return m_path; }
    const std::map<std::string, Tensor>& tensors() const { return m_tensors; }
    const Tensor* find(const std::string& name) const;

    // The tensor's values as float32 into out[0, count). F32/F16/BF16 only (ModelError naming
    // the tensor's dtype otherwise). Throws ModelError at the first non-finite value.
    void readFloat(const Tensor& t, float* out) const;
    // F32 tensors whose data is 4-byte aligned in the mapping: a pointer straight into it (no
    // copy); nullptr otherwise.
    const float* mappedFloat(const Tensor& t) const;
    // Keeps the mapping alive (for weights that view it).
    std::shared_ptr<const void> keepAlive() const { return m_mapping; }
    // The whole file's bytes as mapped (or held); mappedFloat() pointers lie inside.
    const unsigned char* bytes() const { return static_cast<const unsigned char*>(m_mapping.get()); }
    size_t byteCount() const { return m_size; }

private:
    SafetensorsFile() = default;
    // Parses the header of the size bytes at `bytes`, which `keepAlive` keeps valid.
    void parse(const unsigned char* bytes, size_t size, std::shared_ptr<const void> keepAlive);

    std::string m_path;
    std::shared_ptr<const void> m_mapping;
    const unsigned char* m_data = nullptr; // start of the data section
    size_t m_size = 0;                     // bytes of the whole file
    std::map<std::string, Tensor> m_tensors;
};

// IEEE half and bfloat16 bit patterns to float (exact).
float halfToFloat(unsigned short bits);
float bfloat16ToFloat(unsigned short bits);

} // namespace attnscope
