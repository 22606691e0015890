// See notes_panel.h.
#include "app/notes_panel.h"

#include <QPlainTextEdit>

namespace attnscope {

NotesPanel::NotesPanel(QWidget* parent) : QDockWidget(tr("Notes"), parent)
{
    setObjectName(QStringLiteral("notesDock"));
    m_edit = new QPlainTextEdit(this);
    m_edit->setObjectName(QStringLiteral("notesEdit"));
    m_edit->setPlaceholderText(tr("Notes for this lesson: what to show, what to ask. "
                                  "They are saved in the session file (File \u203A Save Session)."));
    m_edit->setToolTip(tr("The lesson's notes, saved in the session file and shown again when it is opened"));
    m_edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_edit->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setWidget(m_edit);
}

QString NotesPanel::text() const { return m_edit->toPlainText(); }

void NotesPanel::setText(const QString& text)
{
    m_edit->setPlainText(text);
    m_edit->document()->setModified(false);
}

} // namespace attnscope
