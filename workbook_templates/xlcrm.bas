Option Explicit
' Ribbon callbacks of the xlcrm tab (ribbon.xml): each runs one Python macro in
' xlcrm.macros through xlwings' RunPython (the xlwings module is built into this workbook).
' Kept ASCII: the VBA editor shows text in the system code page; every message a manager
' reads comes from Python.

Private Sub RunMacro(ByVal name As String)
    RunPython "import xlcrm.macros; xlcrm.macros." & name & "()"
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
