// See colormaps.h. Stops are matplotlib's colour maps sampled every 0.1 (cividis every 0.25).
#include "render/colormaps.h"

#include <algorithm>

#include <initializer_list>

namespace attnscope {

namespace {

QCPColorGradient fromStops(std::initializer_list<const char*> hex)
{
    QCPColorGradient g;
    g.clearColorStops();
    const int n = static_cast<int>(hex.size());
    int i = 0;
    for (const char* h : hex) g.setColorStopAt(double(i++) / double(n - 1), QColor(QLatin1String(h)));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(256);
    g.setPeriodic(false);
    return g;
}

} // namespace

QStringList colormapNames()
{
    return {QStringLiteral("viridis"), QStringLiteral("magma"), QStringLiteral("cividis"), QStringLiteral("blues"),
            QStringLiteral("grayscale"), QStringLiteral("hot"), QStringLiteral("jet")};
}

QCPColorGradient colormap(const QString& name)
{
    if (name == QLatin1String("magma"))
        return fromStops({"#000004", "#140e36", "#3b0f70", "#641a80", "#8c2981", "#b73779", "#de4968", "#f7705c",
                          "#fe9f6d", "#fecf92", "#fcfdbf"});
    if (name == QLatin1String("cividis"))
        return fromStops({"#00204d", "#414d6b", "#7c7b78", "#bcaf6f", "#fee838"});
    if (name == QLatin1String("blues")) return fromStops({"#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"});
    if (name == QLatin1String("grayscale")) return fromStops({"#ffffff", "#000000"});
    if (name == QLatin1String("hot")) return QCPColorGradient(QCPColorGradient::gpHot);
    if (name == QLatin1String("jet")) return QCPColorGradient(QCPColorGradient::gpJet);
    return fromStops({"#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70",
                      "#7ad151", "#bddf26", "#fde725"});
}

QCPColorGradient divergingColormap()
{
    return fromStops({"#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582",
                      "#d6604d", "#b2182b", "#67001f"});
}

QColor divergingColor(double v, double maxAbs)
{
    // QCPColorGradient::color() fills a lookup table on first use: one gradient per thread.
    thread_local QCPColorGradient gradient = divergingColormap();
    const double t = maxAbs > 0 ? std::clamp(v / maxAbs, -1.0, 1.0) : 0.0;
    return QColor::fromRgb(gradient.color(t, QCPRange(-1.0, 1.0)));
}

} // namespace attnscope
