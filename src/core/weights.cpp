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

float* Weights::mutableData(const std::string& name) { return m_data.data() + m_entries.at(name).offset; }
const float* Weights::data(const std::string& name) const { return m_data.data() + m_entries.at(name).offset; }

ConstMatrixMap Weights::matrix(const std::string& name) const
{
    const Entry& e = m_entries.at(name);
    assert(e.shape.size() == 2);
    return ConstMatrixMap(m_data.data() + e.offset, e.shape[0], e.shape[1]);
}

ConstRowVectorMap Weights::vector(const std::string& name) const
{
    const Entry& e = m_entries.at(name);
    assert(e.shape.size() == 1);
    return ConstRowVectorMap(m_data.data() + e.offset, e.shape[0]);
}

} // namespace attnscope
