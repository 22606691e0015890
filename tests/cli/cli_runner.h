// Runs attnscope-cli as a separate process for the end-to-end tests (tests/cli, and
// tests/app/test_cli_export.cpp). The including target defines ATTNSCOPE_CLI, the binary's path.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace attnscope::test {

struct CliResult {
    int exitCode = -1; // -1: crashed, or not finished within two minutes
    QByteArray out;
    QByteArray err;
};

inline CliResult runProgram(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000)) return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

inline CliResult runCli(const QStringList& args) { return runProgram(QStringLiteral(ATTNSCOPE_CLI), args); }

// As on a full disk: under a one-block file-size limit, with SIGXFSZ ignored (inherited through
// exec) so that the CLI's writes fail with EFBIG as they would with ENOSPC.
inline CliResult runCliOnFullDisk(const QStringList& args)
{
    return runProgram(QStringLiteral("/bin/sh"),
                      QStringList{"-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"", QStringLiteral(ATTNSCOPE_CLI)} +
                          args);
}

} // namespace attnscope::test
