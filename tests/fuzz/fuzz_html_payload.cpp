// Fuzzes the reader of the interactive HTML export (core/html_export.h): arbitrary bytes as a
// page. Only IoError may escape; every matrix it returns is read in full, so an offset check that
// lets a stack reach past the inflated weights is an AddressSanitizer report.
#include "core/errors.h"
#include "core/html_export.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const attnscope::HtmlPayload page =
            attnscope::decodeInteractiveHtml(std::string(reinterpret_cast<const char*>(data), size));
        volatile float sum = 0.0f;
        for (const auto& stack : page.weights)
            for (const auto& layer : stack)
                for (const attnscope::MatrixRM& m : layer) sum = sum + m.sum();
    } catch (const attnscope::IoError&) {
    }
    return 0;
}
