// safetensors: u64 little-endian header length N, N bytes of JSON header {name: {"dtype",
// "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the data; offsets are
// relative to the start of the data. Everything the header says is checked against the file
// before a byte of data is read.
#include "core/safetensors_file.h"

#include "core/errors.h"
#include "core/json_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace attnscope {

namespace {

constexpr unsigned long long kMaxHeader = 100ull << 20; // 100 MiB, as safetensors itself allows

struct Mapping {
    void* address = MAP_FAILED;
    size_t size = 0;
    ~Mapping()
    {
        if (address != MAP_FAILED) munmap(address, size);
    }
};

TensorDtype dtypeFrom(const std::string& name)
{
    if (name == "F32") return TensorDtype::F32;
    if (name == "F16") return TensorDtype::F16;
    if (name == "BF16") return TensorDtype::BF16;
    return TensorDtype::Other;
}

size_t bytesPerElement(const std::string& dtype)
{
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
    return 0;
}

} // namespace

const char* toString(TensorDtype dtype)
{
    switch (dtype) {
    case TensorDtype::F32: return "F32";
    case TensorDtype::F16: return "F16";
    case TensorDtype::BF16: return "BF16";
    case TensorDtype::Other: return "other";
    }
    return "other";
}

float halfToFloat(unsigned short h)
{
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else { // subnormal: normalise
            int e = -1;
            do {
                ++e;
                mantissa <<= 1;
            } while ((mantissa & 0x400u) == 0);
            bits = sign | uint32_t(127 - 15 - e) << 23 | (mantissa & 0x3ffu) << 13;
        }
    } else if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | mantissa << 13; // inf / nan
    } else {
        bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float bfloat16ToFloat(unsigned short b)
{
    const uint32_t bits = uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

size_t SafetensorsFile::Tensor::count() const
{
    size_t n = 1;
    for (const long long d : shape) n *= size_t(d);
    return n;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : m_path(path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError(path + ": cannot open weights file: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw IoError(path + ": not a regular file");
    }
    auto mapping = std::make_shared<Mapping>();
    mapping->size = size_t(st.st_size);
    if (mapping->size > 0) mapping->address = ::mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (mapping->size >= 8 && mapping->address == MAP_FAILED)
        throw IoError(path + ": cannot map file: " + std::strerror(errno));
    const auto* bytes = static_cast<const unsigned char*>(mapping->address == MAP_FAILED ? nullptr : mapping->address);
    const size_t size = mapping->size;
    parse(bytes, size, std::shared_ptr<const void>(mapping, mapping->address));
}

SafetensorsFile SafetensorsFile::fromBytes(std::shared_ptr<const std::string> data, const std::string& name)
{
    SafetensorsFile f;
    f.m_path = name;
    const auto* bytes = reinterpret_cast<const unsigned char*>(data->data());
    const size_t size = data->size();
    f.parse(bytes, size, std::shared_ptr<const void>(data, data->data()));
    return f;
}

void SafetensorsFile::parse(const unsigned char* bytes, size_t size, std::shared_ptr<const void> keepAlive)
{
    const std::string& path = m_path;
    const JsonReader r(path);
    if (size < 8) r.fail("/", "file is " + std::to_string(size) + " bytes, too short for a safetensors header");
    unsigned long long headerSize = 0;
    for (int i = 7; i >= 0; --i) headerSize = (headerSize << 8) | bytes[i];
    if (headerSize > kMaxHeader || headerSize > size - 8)
        r.fail("/", "header length " + std::to_string(headerSize) + " exceeds the file (" + std::to_string(size) +
                        " bytes)");
    const Json header = parseModelJson(std::string(reinterpret_cast<const char*>(bytes + 8), size_t(headerSize)), path);
    r.expectType(header, "/", "object");
    const size_t dataStart = 8 + size_t(headerSize);
    const size_t dataSize = size - dataStart;

    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") continue;
        const std::string p = "/" + jsonPointerEscape(name);
        r.expectType(entry, p, "object");
        Tensor t;
        t.name = name;
        t.dtypeName = r.requireString(entry, p, "dtype");
        t.dtype = dtypeFrom(t.dtypeName);
        const size_t elementBytes = bytesPerElement(t.dtypeName);
        if (elementBytes == 0) r.fail(p + "/dtype", "unknown dtype \"" + t.dtypeName + "\"");
        const Json& shape = r.requireArray(entry, p, "shape");
        if (shape.size() > 8) r.fail(p + "/shape", "more than 8 dimensions");
        unsigned long long count = 1;
        for (size_t i = 0; i < shape.size(); ++i) {
            const std::string sp = p + "/shape/" + std::to_string(i);
            r.expectType(shape[i], sp, "integer");
            if (!shape[i].is_number_unsigned() || shape[i].get<unsigned long long>() > (1ull << 40))
                r.fail(sp, "dimension must be a non-negative integer below 2^40");
            const unsigned long long d = shape[i].get<unsigned long long>();
            t.shape.push_back(static_cast<long long>(d));
            count = d == 0 ? 0 : (count > (1ull << 40) / d ? (1ull << 41) : count * d);
        }
        const Json& offsets = r.requireArray(entry, p, "data_offsets");
        if (offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
            r.fail(p + "/data_offsets", "expected two non-negative integers");
        const unsigned long long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataSize)
            r.fail(p + "/data_offsets", "range [" + std::to_string(begin) + ", " + std::to_string(end) +
                                            ") lies outside the data (" + std::to_string(dataSize) + " bytes)");
        if (count > (1ull << 40) || end - begin != count * elementBytes)
            r.fail(p + "/data_offsets", "range holds " + std::to_string(end - begin) + " bytes, shape and dtype " +
                                            t.dtypeName + " need " + std::to_string(count * elementBytes));
        t.begin = size_t(begin);
        t.end = size_t(end);
        m_tensors.emplace(name, std::move(t));
    }
    std::vector<const Tensor*> byOffset;
    for (const auto& [name, t] : m_tensors)
        if (t.end > t.begin) byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(), [](const Tensor* a, const Tensor* b) { return a->begin < b->begin; });
    // The data must be covered exactly, in order, without overlaps or holes (as the safetensors
    // format requires): a hole means the header and the data disagree.
    size_t covered = 0;
    for (const Tensor* t : byOffset) {
        const std::string p = "/" + jsonPointerEscape(t->name) + "/data_offsets";
        if (t->begin < covered)
            r.fail(p, "overlaps another tensor (its data starts at byte " + std::to_string(t->begin) + ", before byte " +
                          std::to_string(covered) + " where the previous one ends)");
        if (t->begin > covered)
            r.fail(p, "leaves bytes " + std::to_string(covered) + " to " + std::to_string(t->begin) +
                          " of the data unused (the data must be covered without holes)");
        covered = t->end;
    }
    if (covered != dataSize)
        r.fail("/", "the tensors cover " + std::to_string(covered) + " of the " + std::to_string(dataSize) +
                        " data bytes (the data must be covered without holes)");
    m_data = bytes + dataStart;
    m_size = size;
    m_mapping = std::move(keepAlive);
}

const SafetensorsFile::Tensor* SafetensorsFile::find(const std::string& name) const
{
    const auto it = m_tensors.find(name);
    return it == m_tensors.end() ? nullptr : &it->second;
}

void SafetensorsFile::readFloat(const Tensor& t, float* out) const
{
    const JsonReader r(m_path);
    const std::string p = "/" + jsonPointerEscape(t.name);
    const unsigned char* src = m_data + t.begin;
    const size_t n = t.count();
    switch (t.dtype) {
    case TensorDtype::F32: std::memcpy(out, src, n * 4); break;
    case TensorDtype::F16:
        for (size_t i = 0; i < n; ++i) out[i] = halfToFloat(static_cast<unsigned short>(src[2 * i] | src[2 * i + 1] << 8));
        break;
    case TensorDtype::BF16:
        for (size_t i = 0; i < n; ++i)
            out[i] = bfloat16ToFloat(static_cast<unsigned short>(src[2 * i] | src[2 * i + 1] << 8));
        break;
    case TensorDtype::Other:
        r.fail(p + "/dtype", "a weight must be F32, F16 or BF16, got \"" + t.dtypeName + "\"");
    }
    for (size_t i = 0; i < n; ++i)
        if (!std::isfinite(out[i])) r.fail(p, "value " + std::to_string(i) + " is not finite");
}

const float* SafetensorsFile::mappedFloat(const Tensor& t) const
{
    if (t.dtype != TensorDtype::F32) return nullptr;
    const unsigned char* src = m_data + t.begin;
    if (reinterpret_cast<uintptr_t>(src) % alignof(float) != 0) return nullptr;
    return reinterpret_cast<const float*>(src);
}

} // namespace attnscope
