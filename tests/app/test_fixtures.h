// What the GUI tests share: a Qt Test case that drives a fresh MainWindow per test function,
// the matrix comparison they check drawn numbers with, and a main() that keeps the tests away
// from the user's settings. A test .cpp lists this header among its CMake sources (for moc).
#pragma once

#include "app/main_window.h"
#include "core/tensor.h"

#include <QtTest>
#include <QtWidgets>

#include <cmath>
#include <functional>
#include <memory>

namespace attnscope::test {

// Equal shapes and every entry within `tol`; NaN equals only NaN.
inline bool sameMatrix(const MatrixRM& a, const MatrixRM& b, float tol = 1e-6f)
{
    if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
    for (Eigen::Index i = 0; i < a.size(); ++i) {
        const float x = a.data()[i], y = b.data()[i];
        if (std::isnan(x) != std::isnan(y)) return false;
        if (!std::isnan(x) && std::abs(x - y) > tol) return false;
    }
    return true;
}

// Closes the non-modal error boxes a test left open, so the next one starts clean.
inline void closeMessageBoxes()
{
    for (QWidget* w : QApplication::topLevelWidgets())
        if (auto* box = qobject_cast<QMessageBox*>(w)) box->close();
}

// Triggers `action`, and answers the file dialog it opens: returns the folder the dialog opened
// in and saves as `file` (an empty file: cancel).
inline QString answerFileDialog(QAction* action, const QString& file)
{
    QString opened;
    bool seen = false;
    std::function<void()> answer = [&] {
        auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
        if (!dialog) {
            QTimer::singleShot(10, answer);
            return;
        }
        seen = true;
        opened = dialog->directory().absolutePath();
        if (file.isEmpty()) {
            dialog->reject();
        } else {
            dialog->selectFile(file);
            QMetaObject::invokeMethod(dialog, "accept"); // (protected in QFileDialog, a slot of QDialog)
        }
    };
    QTimer::singleShot(0, answer);
    action->trigger(); // the dialog's own event loop runs `answer`
    return seen ? opened : QStringLiteral("(no dialog)");
}

// Base of the test classes that drive the main window: init() shows a new window of
// `windowSize` for every test function, cleanup() closes what it left open. Qt Test finds
// these two slots through the derived class's meta-object.
class WindowTest : public QObject {
    Q_OBJECT
protected:
    explicit WindowTest(QSize windowSize = QSize(1280, 800)) : m_windowSize(windowSize) {}

    // The engine has delivered a result for the current input.
    void waitIdle()
    {
        QTRY_VERIFY(m_window->runner()->isIdle());
        QVERIFY(m_window->result());
    }

    std::unique_ptr<MainWindow> m_window;

private slots:
    void init()
    {
        // Every test function starts from no settings at all: not the window state, colour map
        // or last model an earlier function (or an earlier run) left behind.
        QSettings().clear();
        QSettings().sync();
        m_window = std::make_unique<MainWindow>();
        m_window->resize(m_windowSize);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup()
    {
        closeMessageBoxes();
        m_window.reset();
    }

private:
    QSize m_windowSize;
};

// main() of a GUI test: a private settings directory, removed at exit, so neither the user's
// settings nor an earlier run's are ever read or written; offscreen unless QT_QPA_PLATFORM says
// otherwise. (Qt's test mode alone sends QSettings to ~/.qttest/config, which outlives the run:
// XDG_CONFIG_HOME is ignored in test mode, so QSettings::setPath points it at the temporary
// directory instead, before any QSettings exists.)
template <class Test>
int runGuiTest(int argc, char** argv)
{
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, config.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, config.path());
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttnScopeTest"));
    QApplication::setApplicationName(QStringLiteral("AttnScopeTest"));
    Test test;
    return QTest::qExec(&test, argc, argv);
}

} // namespace attnscope::test
