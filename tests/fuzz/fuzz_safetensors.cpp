// Fuzzes the safetensors reader of Hugging Face folders (header parsing, offset checks, and the
// F32/F16/BF16 conversions): arbitrary bytes as a file. Only ModelError may escape; every tensor
// a header accepts is read in full, so a range check that lets one byte too many through is an
// AddressSanitizer report.
#include "core/errors.h"
#include "core/safetensors_file.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
    try {
        const attnscope::SafetensorsFile file = attnscope::SafetensorsFile::fromBytes(bytes, "fuzz.safetensors");
        std::vector<float> out;
        for (const auto& [name, t] : file.tensors()) {
            if (t.dtype == attnscope::TensorDtype::Other || t.count() > (size_t(1) << 24)) continue;
            out.resize(t.count());
            try {
                file.readFloat(t, out.data());
            } catch (const attnscope::ModelError&) { // a non-finite value
            }
        }
    } catch (const attnscope::ModelError&) {
    }
    return 0;
}
