Option Explicit
' Ribbon callbacks of the xlcrm tab (ribbon.xml): each runs one Python macro in
' xlcrm.macros through xlwings' RunPython (the xlwings module is built into this workbook).
' Kept ASCII: the VBA editor shows text in the system code page; every message a manager
' reads comes from Python, in a Unicode message box.
'
' On Windows, whatever Python writes to its error output (a failure before xlcrm's own
' messages can run) lands in a file that xlwings reads back with VBA's Line Input, which
' decodes the system (ANSI) code page; Python writes that file in UTF-8 when its UTF-8 mode
' is on. So the error output is switched to the ANSI code page ('mbcs') first; characters it
' cannot hold become \u escapes instead of garbling the message.
Private Const ERRORS_IN_ANSI As String = _
    "import sys; sys.stderr.reconfigure(encoding='mbcs', errors='backslashreplace'); "

Private Sub RunMacro(ByVal name As String)
    #If Mac Then
        RunPython "import xlcrm.macros; xlcrm.macros." & name & "()"
    #Else
        RunPython ERRORS_IN_ANSI & "import xlcrm.macros; xlcrm.macros." & name & "()"
    #End If
End Sub

Public Sub xlcrm_ImportData(control As IRibbonControl)
    RunMacro "import_data"
End Sub

Public Sub xlcrm_CheckData(control As IRibbonControl)
    RunMacro "check_data"
End Sub

Public Sub xlcrm_BuildReport(control As IRibbonControl)
    RunMacro "build_report"
End Sub

Public Sub xlcrm_PrintPreview(control As IRibbonControl)
    RunMacro "print_preview"
End Sub

Public Sub xlcrm_CustomerCards(control As IRibbonControl)
    RunMacro "customer_cards"
End Sub

Public Sub xlcrm_ShowHelp(control As IRibbonControl)
    RunMacro "show_help"
End Sub
