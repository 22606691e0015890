// The Notes dock: the lesson's notes (a session file's "notes", docs/session-format.md), shown
// whole and editable. Opening a session fills it (and brings it to the front when the session
// has notes); saving a session writes what it holds. Loading another model keeps the text: it
// is the teacher's own and is never thrown away by the app.
#pragma once

#include <QDockWidget>

class QPlainTextEdit;

namespace attnscope {

class NotesPanel : public QDockWidget {
    Q_OBJECT
public:
    explicit NotesPanel(QWidget* parent = nullptr);

    QString text() const;
    void setText(const QString& text); // replaces the notes (a session opened)
    QPlainTextEdit* editor() const { return m_edit; }

private:
    QPlainTextEdit* m_edit = nullptr;
};

} // namespace attnscope
