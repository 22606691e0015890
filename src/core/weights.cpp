// One owning block with named views; see weights.h.
#include "core/weights.h"

#include <cassert>

namespace attnscope {

size_t Weights::Entry::size() const
{
    size_t n = 1;
    for (const int d : shape) n *= static_cast<size_t>(d);
    return n;
}

void Weights::declare(const std::string& name, std::vector<int> shape)
{
    Entry e;
    e.shape = std::move(shape);
    e.offset = m_data.size(); // provisional; fixed up in allocate()
    m_entries[name] = std::move(e);
}

void Weights::allocate()
{
    size_t offset = 0;
    for (auto& [name, e] : m_entries) {
        e.offset = offset;
        offset += e.size();
    }
    m_data.assign(offset, 0.0f);
}

void Weights::adopt(const float* base, size_t floatCount, std::shared_ptr<const void> keepAlive)
{
    m_data.clear();
    m_base = base;
    m_baseCount = floatCount;
    m_keepAlive = std::move(keepAlive);
}

void Weights::declareAt(const std::string& name, std::vector<int> shape, size_t offset)
{
    Entry e;
    e.shape = std::move(shape);
    e.offset = offset;
    assert(offset + e.size() <= m_baseCount);
    m_entries[name] = std::move(e);
}

size_t Weights::totalSize() const
{
    size_t n = 0;
    for (const auto& [name, e] : m_entries) n += e.size();
    return n;
}

float* Weights::mutableData(const std::string& name)
{
    assert(!m_keepAlive);
    return m_data.data() + m_entries.at(name).offset;
}
const float* Weights::data(const std::string& name) const { return base() + m_entries.at(name).offset; }

ConstMatrixMap Weights::matrix(const std::string& name) const
{
    const Entry& e = m_entries.at(name);
    assert(e.shape.size() == 2);
    return ConstMatrixMap(base() + e.offset, e.shape[0], e.shape[1]);
}

ConstRowVectorMap Weights::vector(const std::string& name) const
{
    const Entry& e = m_entries.at(name);
    assert(e.shape.size() == 1);
    return ConstRowVectorMap(base() + e.offset, e.shape[0]);
}

} // namespace attnscope
