// safetensors layout: u64 little-endian header length N, N bytes of JSON header
// {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the
// data; offsets are relative to the start of the data. The mapping stays alive as long as
// the Weights that view it.
#include "core/safetensors.h"

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
#include <map>
#include <memory>

namespace attnscope {

namespace {

struct Mapping {
    void* address = MAP_FAILED;
    size_t size = 0;
    ~Mapping()
    {
        if (address != MAP_FAILED) munmap(address, size);
    }
};

std::string shapeText(const std::vector<int>& s)
{
    std::string t = "[";
    for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

} // namespace

void loadSafetensors(const std::string& path, const std::vector<TensorSpec>& specs, Weights& out)
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
    const JsonReader r(path);
    if (mapping->size < 8) r.fail("/", "file is " + std::to_string(mapping->size) + " bytes, too short for a safetensors header");
    if (mapping->address == MAP_FAILED) throw IoError(path + ": cannot map file: " + std::strerror(errno));
    const auto* bytes = static_cast<const unsigned char*>(mapping->address);

    unsigned long long headerSize = 0;
    for (int i = 7; i >= 0; --i) headerSize = (headerSize << 8) | bytes[i];
    if (headerSize > kMaxSafetensorsHeader || headerSize > mapping->size - 8)
        r.fail("/", "header length " + std::to_string(headerSize) + " exceeds the file (" +
                        std::to_string(mapping->size) + " bytes)");
    const Json header = parseModelJson(std::string(reinterpret_cast<const char*>(bytes + 8), size_t(headerSize)), path);
    r.expectType(header, "/", "object");
    const size_t dataStart = 8 + size_t(headerSize);
    const size_t dataSize = mapping->size - dataStart;

    std::map<std::string, const TensorSpec*> wanted;
    for (const TensorSpec& s : specs) wanted[s.name] = &s;
    struct Placed {
        const TensorSpec* spec;
        size_t begin, end;
    };
    std::vector<Placed> placed;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") continue;
        const std::string p = "/" + jsonPointerEscape(name);
        const auto it = wanted.find(name);
        if (it == wanted.end()) r.fail(p, "unexpected tensor (not used by this architecture)");
        r.expectType(entry, p, "object");
        const std::string dtype = r.requireString(entry, p, "dtype");
        if (dtype != "F32") r.fail(p + "/dtype", "expected \"F32\", got \"" + dtype + "\"");
        const Json& shape = r.requireArray(entry, p, "shape");
        std::vector<int> got;
        for (size_t i = 0; i < shape.size(); ++i) {
            r.expectType(shape[i], p + "/shape/" + std::to_string(i), "integer");
            const long long v = shape[i].is_number_unsigned() && shape[i].get<unsigned long long>() > (1ull << 40)
                                    ? -1
                                    : shape[i].get<long long>();
            if (v < 1 || v > (1LL << 30)) r.fail(p + "/shape/" + std::to_string(i), "dimension must be a positive integer");
            got.push_back(int(v));
        }
        if (got != it->second->shape)
            r.fail(p, "expected shape " + shapeText(it->second->shape) + ", got " + shapeText(got));
        const Json& offsets = r.requireArray(entry, p, "data_offsets");
        if (offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
            r.fail(p + "/data_offsets", "expected two non-negative integers");
        const unsigned long long begin = offsets[0], end = offsets[1];
        size_t count = 1;
        for (const int d : got) count *= size_t(d);
        if (begin > end || end > dataSize)
            r.fail(p + "/data_offsets", "range [" + std::to_string(begin) + ", " + std::to_string(end) +
                                            ") lies outside the data (" + std::to_string(dataSize) + " bytes)");
        if (end - begin != 4 * count)
            r.fail(p + "/data_offsets", "range holds " + std::to_string(end - begin) + " bytes, shape needs " +
                                            std::to_string(4 * count));
        placed.push_back({it->second, size_t(begin), size_t(end)});
        wanted.erase(it);
    }
    if (!wanted.empty()) r.fail("/" + jsonPointerEscape(wanted.begin()->first), "missing tensor");
    std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) { return a.begin < b.begin; });
    for (size_t i = 1; i < placed.size(); ++i)
        if (placed[i].begin < placed[i - 1].end)
            r.fail("/" + jsonPointerEscape(placed[i].spec->name) + "/data_offsets",
                   "overlaps tensor " + placed[i - 1].spec->name);

    const bool aligned = std::all_of(placed.begin(), placed.end(),
                                     [&](const Placed& t) { return (dataStart + t.begin) % 4 == 0; });
    if (aligned) {
        // Views straight into the mapping: no copy, pages load on first use.
        const auto* base = reinterpret_cast<const float*>(bytes);
        out.adopt(base, mapping->size / 4, std::shared_ptr<const void>(mapping, mapping->address));
        for (const Placed& t : placed) out.declareAt(t.spec->name, t.spec->shape, (dataStart + t.begin) / 4);
    } else {
        for (const Placed& t : placed) out.declare(t.spec->name, t.spec->shape);
        out.allocate();
        for (const Placed& t : placed)
            std::memcpy(out.mutableData(t.spec->name), bytes + dataStart + t.begin, t.end - t.begin);
    }
    for (const Placed& t : placed) {
        const float* v = out.data(t.spec->name);
        const size_t n = (t.end - t.begin) / 4;
        for (size_t i = 0; i < n; ++i)
            if (!std::isfinite(v[i]))
                r.fail("/" + jsonPointerEscape(t.spec->name), "value " + std::to_string(i) + " is not finite");
    }
}

} // namespace attnscope
