"""Every message fundsite shows an editor, in Thai (default) and English.

A :class:`~fundsite.diagnostics.Problem` names a message by code; ``{field}`` and the problem's
params fill it in. Hints (``hint-*``) say what the editor probably meant.
"""

from __future__ import annotations

from typing import Any

from fundsite.diagnostics import Problem

MESSAGES: dict[str, tuple[str, str]] = {
    # reading files
    "not-utf8": (
        "ไฟล์นี้ไม่ได้บันทึกเป็น UTF-8 ({detail}): บันทึกใหม่เป็น UTF-8",
        "the file is not UTF-8 text ({detail}): save it as UTF-8",
    ),
    "unreadable": ("อ่านไฟล์ไม่ได้: {detail}", "the file cannot be read: {detail}"),
    "utf16": (
        "ไฟล์นี้บันทึกเป็น UTF-16 (Unicode ของ Notepad): บันทึกใหม่เป็น UTF-8",
        "the file is saved as UTF-16 (Notepad's 'Unicode'): save it as UTF-8",
    ),
    "symlink": (
        "เป็นลิงก์สัญลักษณ์ (symbolic link) ซึ่ง fundsite ไม่อ่านและไม่เผยแพร่: ใส่ไฟล์จริงแทนลิงก์",
        "this is a symbolic link, which fundsite neither reads nor publishes: commit the file itself",
    ),
    "not-regular-file": (
        "ไม่ใช่ไฟล์ธรรมดา (เช่น FIFO อุปกรณ์ หรือ socket) จึงไม่อ่าน: ลบออกจากเว็บไซต์",
        "not a regular file (a FIFO, device or socket), so it is not read: remove it",
    ),
    "file-too-large": (
        "ไฟล์ใหญ่เกินไป ({size} ไบต์ เกินขีดจำกัด {limit} ไบต์)",
        "the file is too large ({size} bytes; the limit is {limit})",
    ),
    "path-outside": (
        "ที่อยู่ไฟล์ชี้ออกนอกโฟลเดอร์ของเว็บไซต์",
        "the path leads outside the site's folder",
    ),
    "file-name-encoding": (
        "ชื่อไฟล์หรือโฟลเดอร์นี้ไม่ได้เข้ารหัสเป็น UTF-8 จึงไม่อ่าน: เปลี่ยนชื่อ",
        "the file or folder name is not UTF-8, so it is not read: rename it",
    ),
    "front-matter-missing": (
        "ไม่พบส่วนหัวข้อมูล (front matter): บรรทัดแรกของไฟล์ต้องเป็น ---",
        "no front matter: the first line of the file must be ---",
    ),
    "front-matter-unclosed": (
        "ส่วนหัวข้อมูลไม่มีบรรทัด --- ปิดท้าย",
        "the front matter is not closed by a --- line",
    ),
    "front-matter-empty": ("ส่วนหัวข้อมูลว่างเปล่า", "the front matter is empty"),
    "yaml-syntax": ("เขียน YAML ผิดรูปแบบ: {detail}", "malformed YAML: {detail}"),
    "yaml-too-deep": (
        "เขียนรายการหรือชุดข้อมูลซ้อนกันลึกเกิน {limit} ชั้น",
        "lists and mappings are nested more than {limit} levels deep",
    ),
    "yaml-number": (
        "YAML อ่าน {value} เป็น{form_th} ได้ค่า {read} ไม่ใช่ตามที่เขียน: ถ้าเป็นรหัสหรือข้อความ"
        ' ให้ใส่เครื่องหมายคำพูด "{value}"',
        "YAML reads {value} as {form_en}, {read}, not as written: if it is a code or text, put"
        ' it in quotes: "{value}"',
    ),
    "yaml-bool": (
        "YAML อ่าน {value} เป็นค่าจริง/เท็จ ({read}) ไม่ใช่ข้อความ: ถ้าหมายถึงข้อความ ให้ใส่เครื่องหมายคำพูด"
        ' "{value}"',
        "YAML reads {value} as {read}, not as text: if you mean the word, put it in quotes:"
        ' "{value}"',
    ),
    "text-control": (
        "ช่อง {field} มีอักขระควบคุมที่มองไม่เห็น ({char}) ซึ่งใช้ไม่ได้: ลบออก (มักติดมาจากการคัดลอกข้อความ)",
        "{field} holds an invisible control character ({char}), which is not allowed: remove"
        " it (it often comes with copied text)",
    ),
    "body-nesting": (
        "เนื้อความซ้อนรายการหรือข้อความอ้างอิงลึกเกิน {limit} ชั้น จึงแสดงเป็นข้อความธรรมดา: ลดระดับการซ้อน",
        "the body nests lists or quotes more than {limit} levels deep, so it is shown as plain"
        " text: nest less",
    ),
    "body-brackets": (
        "ย่อหน้านี้มีวงเล็บ [ หรือ < เกิน {limit} ตัว จึงแสดงเนื้อความเป็นข้อความธรรมดา: แบ่งเป็นหลายย่อหน้า",
        "this paragraph holds more than {limit} [ or < characters, so the body is shown as"
        " plain text: split it into paragraphs",
    ),
    "text-too-long": (
        "ข้อความยาวเกินไป ({size} ตัวอักษร เกินขีดจำกัด {limit}): เขียนเนื้อความยาวไว้ใต้ส่วนหัวข้อมูล",
        "the text is too long ({size} characters; the limit is {limit}): write long text in the"
        " body, below the front matter",
    ),
    "duplicate-key": (
        "เขียนช่อง {field} ซ้ำ (เขียนไว้แล้วที่บรรทัด {first_line})",
        "field {field} is written twice (first at line {first_line})",
    ),
    "data-not-list": (
        "ไฟล์นี้ต้องเป็นรายการ (แต่ละรายการขึ้นต้นด้วย - )",
        "this file must be a list (each entry starting with - )",
    ),
    "record-not-mapping": (
        "ต้องเขียนเป็นชุด ชื่อช่อง: ค่า",
        "must be a set of field: value lines",
    ),
    # one record
    "missing": ("ไม่ได้กรอกช่อง {field} ซึ่งต้องกรอก", "required field {field} is missing"),
    "unknown-field": ("ไม่รู้จักช่อง {field}", "unknown field {field}"),
    "wrong-type": (
        "ช่อง {field} ต้องเป็น{expected_th} แต่เขียนว่า {value}",
        "{field} must be {expected_en}, not {value}",
    ),
    "invalid-choice": (
        "ช่อง {field} เขียนว่า {value} ซึ่งไม่ใช่ค่าที่ใช้ได้ ({choices})",
        "{field} is {value}, which is not one of the allowed values ({choices})",
    ),
    "out-of-range": (
        "ช่อง {field} มีค่า {value} ซึ่งอยู่นอกช่วงที่ใช้ได้ ({limit})",
        "{field} is {value}, outside the allowed range ({limit})",
    ),
    "bad-format": (
        "ช่อง {field} เขียนไม่ถูกรูปแบบ ({value}): ต้องเป็น{form_th}",
        "{field} is not in the expected form ({value}): it must be {form_en}",
    ),
    "bad-id": (
        "ช่อง {field} ใช้เป็นรหัสไม่ได้ ({value}): {reason_th}",
        "{field} cannot be an id ({value}): {reason_en}",
    ),
    "bad-file-name": (
        'ชื่อไฟล์ "{value}" ใช้เป็นรหัสไม่ได้: {reason_th}',
        'the file name "{value}" cannot be an id: {reason_en}',
    ),
    "id-lookalike": (
        'รหัส "{value}" ดูเหมือนรหัส "{other_id}" ของ{kind_th}ใน {other} จนแยกไม่ออก'
        " (ต่างกันแค่ตัวพิมพ์เล็ก/ใหญ่ ลำดับหรือจำนวนสระและวรรณยุกต์ หรือรูปเขียน เช่น ำ กับ ํา, แ กับ เเ)",
        'id "{value}" looks the same as id "{other_id}" of the {kind_en} in {other}'
        " (they differ only in letter case, in the order or repetition of Thai marks, or in"
        " how a letter is composed, such as ำ and ํา, แ and เเ)",
    ),
    "too-short": ("ช่อง {field} ต้องไม่ว่าง", "{field} must not be empty"),
    "area-empty": (
        "ช่อง {field} ต้องระบุจังหวัด อำเภอ ตำบล หรือเขตอย่างน้อยหนึ่งอย่าง",
        "{field} must name a province, district, sub-district or region",
    ),
    "money-invalid": (
        'ช่อง {field} ต้องเป็นจำนวนเงิน เช่น 39918.00 หรือ "39,918.00" แต่เขียนว่า {value}',
        '{field} must be an amount such as 39918.00 or "39,918.00", not {value}',
    ),
    "money-commas": (
        "ช่อง {field}: ใส่จุลภาคคั่นหลักพันผิดที่ ({value})",
        "{field}: thousands separators are misplaced ({value})",
    ),
    "money-negative": (
        "ช่อง {field} เป็นจำนวนเงินติดลบ ({value}) ซึ่งใช้ไม่ได้",
        "{field} is a negative amount ({value})",
    ),
    "money-too-large": (
        "ช่อง {field} มีจำนวนเงินมากเกินจริง ({value}) ตรวจจำนวนหลักอีกครั้ง",
        "{field} is an implausibly large amount ({value}); check the number of digits",
    ),
    "money-decimals": (
        "ช่อง {field} มีทศนิยมเกิน 2 ตำแหน่ง ({value})",
        "{field} has more than two decimals ({value})",
    ),
    "date-invalid": (
        "ช่อง {field} อ่านเป็นวันที่ไม่ได้ ({value}): เขียนแบบ 2024-10-01 หรือ 1 ต.ค. 2567",
        "{field} is not a date ({value}): write 2024-10-01 or 1 ต.ค. 2567",
    ),
    "date-month": (
        'ช่อง {field}: ไม่รู้จักชื่อเดือน "{month}" ({value})',
        '{field}: unknown month name "{month}" ({value})',
    ),
    "date-impossible": (
        "ช่อง {field}: ไม่มีวันที่นี้ในปฏิทิน ({value})",
        "{field}: no such day in the calendar ({value})",
    ),
    "date-be-as-ce": (
        "ช่อง {field} ใช้ปี พ.ศ. ในรูปแบบวันที่สากล ({value}) ซึ่งต้องเป็นปี ค.ศ.",
        "{field} has a Buddhist-Era year in an ISO date ({value}); ISO dates are Common Era",
    ),
    "date-ce-as-be": (
        "ช่อง {field} เขียนวันที่แบบไทยแต่ใช้ปี ค.ศ. ({value}) ซึ่งต้องเป็นปี พ.ศ.",
        "{field} is a Thai date with a Common-Era year ({value}); Thai dates use the BE year",
    ),
    "fiscal-year-invalid": (
        "ช่อง {field} ต้องเป็นปีงบประมาณ พ.ศ. เช่น 2568 แต่เขียนว่า {value}",
        "{field} must be a Buddhist-Era fiscal year such as 2568, not {value}",
    ),
    "fiscal-year-ce": (
        "ช่อง {field} ใช้ปี ค.ศ. ({value}) แต่ปีงบประมาณต้องเป็นปี พ.ศ.",
        "{field} is a Common-Era year ({value}); fiscal years are Buddhist Era",
    ),
    # across records
    "id-mismatch": (
        'รหัส (id) "{value}" ไม่ตรงกับชื่อไฟล์ "{stem}"',
        'id "{value}" does not match the file name "{stem}"',
    ),
    "duplicate-id": (
        'รหัส "{value}" ซ้ำกับ{kind_th}ใน {other}:{other_line}',
        'id "{value}" is also used by the {kind_en} in {other}:{other_line}',
    ),
    "unknown-ref": (
        'ช่อง {field}: ไม่พบ{kind_th}รหัส "{value}"',
        '{field}: there is no {kind_en} "{value}"',
    ),
    "plan-folder": (
        'แผนงานนี้อยู่ในโฟลเดอร์ของกองทุน "{folder}" แต่ช่อง fund เขียนว่า "{value}"',
        'this plan is in the folder of fund "{folder}" but its fund is "{value}"',
    ),
    "plan-other-fund": (
        'แผนงาน "{value}" เป็นของกองทุน "{plan_fund}" ไม่ใช่กองทุน "{fund}" ของโครงการนี้',
        'plan "{value}" belongs to fund "{plan_fund}", not to this project\'s fund "{fund}"',
    ),
    "project-no-issue": (
        "โครงการต้องระบุประเด็น (issues) อย่างน้อยหนึ่งประเด็น หรือระบุแผนงาน (plan)",
        "a project needs at least one issue (issues) or a plan to take it from",
    ),
    "programme-self": (
        "โครงการอ้างถึงตัวเองเป็นโครงการหลัก (programme)",
        "the project names itself as its programme",
    ),
    "area-unknown": (
        'ช่อง {field}: ไม่พบ{level_th}ชื่อ "{value}"{scope_th}',
        '{field}: there is no {level_en} named "{value}"{scope_en}',
    ),
    "area-ambiguous": (
        'ช่อง {field}: มี{level_th}ชื่อ "{value}" มากกว่าหนึ่งแห่ง ({matches}) ให้ระบุจังหวัดหรืออำเภอเพิ่ม',
        '{field}: more than one {level_en} is named "{value}" ({matches}); add the province or district',
    ),
    "area-mismatch": (
        'ช่อง {field}: {level_th} "{value}" ไม่ได้อยู่ใน{parent_th} "{parent}"',
        '{field}: {level_en} "{value}" is not in the {parent_en} "{parent}"',
    ),
    "area-subdistrict-for-programme": (
        "ช่อง {field}: พื้นที่ของกองทุนต้องมีตำบล (กองทุนท้องถิ่น)",
        "{field}: a local fund's area must name its sub-district",
    ),
    "end-before-start": (
        "วันสิ้นสุด {field} ({end}) อยู่ก่อนวันเริ่ม ({start})",
        "the end date {field} ({end}) is before the start ({start})",
    ),
    "balance-mismatch": (
        "ยอดคงเหลือปีงบประมาณ {fiscal_year} ({balance} บาท) ไม่เท่ากับ ยอดยกมา + รายรับ − รายจ่าย"
        " ({expected} บาท)",
        "the balance for fiscal year {fiscal_year} ({balance} THB) does not equal carried forward"
        " + income − spent ({expected} THB)",
    ),
    "duplicate-fiscal-year": (
        "ปีงบประมาณ {value} เขียนซ้ำในช่อง finances",
        "fiscal year {value} appears twice in finances",
    ),
    "photo-missing": (
        'ไม่พบไฟล์รูปภาพ "{value}" (ต้องอยู่ในโฟลเดอร์ content/)',
        'photo "{value}" does not exist (it must be under content/)',
    ),
    "photo-not-image": (
        'ไฟล์ "{value}" ไม่ใช่รูปภาพที่เผยแพร่ได้ (JPEG, PNG, WebP หรือ GIF)',
        '"{value}" is not a photo that can be published (JPEG, PNG, WebP or GIF)',
    ),
    "media-type": (
        "ไฟล์ประเภท {value} เผยแพร่ไม่ได้ (อาจมีโค้ดที่ทำงานบนเว็บไซต์): ใช้รูปภาพ JPEG, PNG,"
        " WebP, GIF หรือเอกสาร PDF",
        "files of type {value} are not published (they may carry code that runs on the site):"
        " use JPEG, PNG, WebP or GIF photos, or PDF documents",
    ),
    "media-no-type": (
        "ไฟล์นี้ไม่มีนามสกุล จึงไม่รู้ประเภทและไม่เผยแพร่: ตั้งชื่อให้ลงท้ายด้วย .jpg .png .webp .gif"
        " หรือ .pdf ตามเนื้อไฟล์",
        "this file has no extension, so its type is unknown and it is not published: name it"
        " .jpg, .png, .webp, .gif or .pdf, as its content is",
    ),
    "media-content": (
        'เนื้อไฟล์ "{value}" ไม่ตรงกับนามสกุลไฟล์ (เช่น ชื่อ .jpg แต่ไม่ใช่ภาพ JPEG): บันทึกไฟล์ใหม่จากโปรแกรมภาพ',
        'the content of "{value}" does not match its name (e.g. named .jpg but not a JPEG'
        " image): save it again from a photo program",
    ),
    "media-unused": (
        "ไม่มีระเบียนใดอ้างถึงไฟล์นี้ จึงไม่เผยแพร่: ใส่ไว้ในช่อง photos ของรายงาน หรือลบออก",
        "no record names this file, so it is not published: list it in a report's photos,"
        " or remove it",
    ),
    "region-province-twice": (
        'จังหวัด "{value}" อยู่ในเขต {region} และเขต {other} (อยู่ได้เขตเดียว)',
        'province "{value}" is in region {region} and in region {other} (only one allowed)',
    ),
    "region-missing-provinces": (
        "จังหวัดต่อไปนี้ไม่อยู่ในเขตใดเลย: {value}",
        "these provinces are in no region: {value}",
    ),
    "theme-missing": (
        'ไม่พบธีม "{value}" (ต้องอยู่ที่ themes/{value}/templates/ หรือใช้ธีม default)',
        'theme "{value}" not found (it must be in themes/{value}/templates/, or use default)',
    ),
    "theme-name": (
        "ช่อง {field} ต้องเป็นชื่อธีม (อักษรอังกฤษพิมพ์เล็ก ตัวเลข - _) เช่น default"
        " ไม่ใช่ที่อยู่ไฟล์ ({value}): ธีมของเว็บไซต์อยู่ที่ themes/<ชื่อ>/",
        "{field} must be a theme name (lower-case letters, digits, - _) such as default, not a"
        " path ({value}): a site's own themes are in themes/<name>/",
    ),
    "base-url": (
        "ช่อง {field} ต้องเป็นที่อยู่เว็บไซต์เต็มที่ขึ้นต้นด้วย https:// หรือ http:// เช่น"
        " https://fund.example.go.th/ ({value})",
        "{field} must be the site's full address starting with https:// or http://, such as"
        " https://fund.example.go.th/ ({value})",
    ),
    "base-url-missing": (
        "ไม่ได้กรอกช่อง base_url (ที่อยู่เว็บไซต์): ฟีดและแผนผังเว็บไซต์จะไม่มีที่อยู่เต็ม",
        "base_url (the site's address) is not set: feeds and the sitemap will lack full addresses",
    ),
    "data-license-missing": (
        "ไม่ได้ระบุสัญญาอนุญาตของข้อมูลเปิด (data_license): ผู้นำข้อมูลไปใช้จะไม่รู้ว่าใช้ได้แค่ไหน",
        "the open data has no licence (data_license): people who reuse it cannot know what"
        " they may do with it",
    ),
    "data-license-unknown": (
        "สัญญาอนุญาต {value} ไม่ใช่รหัส SPDX ของสัญญาอนุญาตข้อมูลเปิดที่ใช้กันทั่วไป",
        "the licence {value} is not the SPDX id of a licence open data commonly uses",
    ),
    "template-error": (
        "แม่แบบหน้าเว็บ (theme) ผิดพลาด: {detail}",
        "the theme's template failed: {detail}",
    ),
    "no-site": ("ไม่พบไฟล์ data/site.yaml", "data/site.yaml is missing"),
    # the output folder (fundsite build -o)
    "output-conflict": (
        "ไฟล์ผลลัพธ์ {value} จะถูกเขียนโดยสองหน้า ทับไฟล์ของเว็บไซต์ หรือออกนอกโฟลเดอร์ผลลัพธ์"
        " จึงไม่สร้างเว็บ: ตรวจรหัสของระเบียนที่ตรงกับชื่อนี้",
        "the output file {value} would be written by two pages, over the site's own files, or"
        " outside the output folder, so nothing is built: check the ids of the records it names",
    ),
    "output-link": (
        "โฟลเดอร์ผลลัพธ์ {value} เป็นลิงก์สัญลักษณ์ในโฟลเดอร์เว็บไซต์ (อาจมาจาก commit) จึงไม่เขียนทับ:"
        " ลบลิงก์นั้น หรือใช้ -o กับโฟลเดอร์จริง",
        "the output folder {value} is a symbolic link inside the site (a commit may have placed"
        " it), so it is not replaced: remove the link, or give -o a real folder",
    ),
    "output-holds-site": (
        "โฟลเดอร์ผลลัพธ์ {value} คือโฟลเดอร์เว็บไซต์หรือมีเว็บไซต์อยู่ข้างใน การสร้างเว็บจะแทนที่ทั้งโฟลเดอร์"
        " จึงไม่ทำ: ใช้โฟลเดอร์ใหม่ เช่น -o build",
        "the output folder {value} is the site or holds it, and a build replaces its output"
        " whole: use a new folder such as -o build",
    ),
    "output-in-site-folder": (
        "โฟลเดอร์ผลลัพธ์ {value} อยู่ใน content/ data/ themes/ หรือ .git ของเว็บไซต์ จึงไม่เขียนทับ:"
        " ใช้โฟลเดอร์อื่น เช่น -o build",
        "the output folder {value} is inside the site's content/, data/, themes/ or .git:"
        " use another folder such as -o build",
    ),
    "output-not-folder": (
        "{value} เป็นไฟล์ ไม่ใช่โฟลเดอร์: ใช้ -o กับโฟลเดอร์",
        "{value} is a file, not a folder: give -o a folder",
    ),
    "output-is-repository": (
        "โฟลเดอร์ผลลัพธ์ {value} เป็นที่เก็บ git (มี .git) จึงไม่เขียนทับ: ใช้โฟลเดอร์อื่น",
        "the output folder {value} is a git repository (it holds .git), so it is not replaced:"
        " use another folder",
    ),
    "output-not-ours": (
        "โฟลเดอร์ผลลัพธ์ {value} มีไฟล์อื่นอยู่แล้วที่ fundsite ไม่ได้สร้าง และการสร้างเว็บจะแทนที่ทั้งโฟลเดอร์:"
        " ใช้โฟลเดอร์ว่างหรือโฟลเดอร์ใหม่ หรือย้ายไฟล์ในนั้นออกเองก่อน",
        "the output folder {value} holds files fundsite did not make, and a build replaces it"
        " whole: use an empty or new folder, or move those files away first",
    ),
    "output-committed": (
        "โฟลเดอร์ผลลัพธ์ {value} มีไฟล์ที่ commit ไว้ใน git ซึ่งอาจมาจาก pull request จึงไม่ใช้:"
        " นำออกจาก git ด้วย git rm -r --cached {value} แล้วเพิ่มชื่อโฟลเดอร์ใน .gitignore",
        "the output folder {value} holds files committed to git, which a pull request could"
        " place, so it is not used: run git rm -r --cached {value} and list it in .gitignore",
    ),
    # warnings
    "missing-recommended": (
        'ไม่ได้กรอกช่อง {field} (หน้าเว็บจะแสดงว่า "ไม่ระบุ")',
        '{field} is not filled in (pages will say "not stated")',
    ),
    "installments-sum": (
        "รวมงบประมาณของทุกงวด ({total} บาท) ไม่เท่ากับ งบประมาณโครงการ ({budget} บาท)",
        "the installments add up to {total} THB, not the project budget of {budget} THB",
    ),
    "report-window-passed": (
        "งวดที่ {number}: พ้นกำหนดส่งรายงาน ({window_th}) แล้ว แต่ไม่มีรายงานของโครงการที่ลงวันที่ในช่วงนั้น"
        " (ข้อมูล ณ {today_th})",
        "installment {number}: its report window ({window_en}) has passed, and no report of the"
        " project is dated in it (data as of {today_en})",
    ),
    "in-progress-after-end": (
        "โครงการยังมีสถานะ in-progress (กำลังดำเนินการ) แต่สิ้นสุดไปแล้วเมื่อ {end_th} (ข้อมูล ณ {today_th})",
        "the project is still in-progress, but it ended on {end_en} (data as of {today_en})",
    ),
    "returned-over-budget": (
        "เงินคืนกองทุน ({returned} บาท) รวมกับเงินที่รายงานว่าใช้ ({spent} บาท) เป็น {total} บาท"
        " เกินงบประมาณโครงการ ({budget} บาท)",
        "the money returned ({returned} THB) and the money reported spent ({spent} THB) add up"
        " to {total} THB, above the project budget ({budget} THB)",
    ),
    "report-outside-period": (
        "วันที่รายงาน ({date}) อยู่นอกระยะเวลาโครงการ ({start} – {end})",
        "the report date ({date}) is outside the project period ({start} – {end})",
    ),
    "spent-over-budget": (
        'รายงานทั้งหมดของโครงการ "{project}" ใช้เงินรวม {spent} บาท เกินงบประมาณโครงการ ({budget} บาท)',
        'the reports of project "{project}" spend {spent} THB in all, above its budget ({budget} THB)',
    ),
    "attended-over-planned": (
        'กลุ่มเป้าหมาย "{name}": ผู้เข้าร่วม {attended} คน มากกว่าที่วางไว้ {planned} คนเกินครึ่ง',
        'target group "{name}": {attended} attended, more than half again the {planned} planned',
    ),
    "completed-no-report": (
        "โครงการสถานะ completed (เสร็จสิ้น) แต่ยังไม่มีรายงานผล",
        "the project is completed but has no report",
    ),
    "code-year": (
        'รหัสโครงการ "{value}" ขึ้นต้นด้วยปี {code_year} แต่โครงการอยู่ในปีงบประมาณ {fiscal_year}',
        'project code "{value}" starts with year {code_year} but the project is in fiscal year'
        " {fiscal_year}",
    ),
    "code-fund": (
        'รหัสโครงการ "{value}" มีรหัสกองทุน {code_fund} แต่โครงการเป็นของกองทุน {fund}',
        'project code "{value}" names fund {code_fund} but the project\'s fund is {fund}',
    ),
    "code-support-type": (
        'รหัสโครงการ "{value}" ระบุประเภทการสนับสนุน {code_type} แต่ช่อง support_type คือ {support_type}',
        'project code "{value}" gives support type {code_type} but support_type is {support_type}',
    ),
    "location-outside-province": (
        "พิกัด {value} อยู่นอกจังหวัด{province} ของโครงการ{found_th}",
        "location {value} is outside the project's province {province}{found_en}",
    ),
    "location-outside-thailand": (
        "พิกัด {value} อยู่นอกประเทศไทย",
        "location {value} is outside Thailand",
    ),
    "personal-phone": (
        "ช่อง {field} มีข้อความที่ดูเหมือนเบอร์โทรศัพท์ ({value}) ซึ่งเป็นข้อมูลส่วนบุคคล",
        "{field} contains what looks like a phone number ({value}): personal data",
    ),
    "personal-national-id": (
        "ช่อง {field} มีเลข 13 หลักที่ดูเหมือนเลขประจำตัวประชาชน ({value}) ซึ่งเป็นข้อมูลส่วนบุคคล",
        "{field} contains a 13-digit number that looks like a national ID ({value}): personal data",
    ),
    "personal-email": (
        "ช่อง {field} มีข้อความที่ดูเหมือนที่อยู่อีเมล ({value}) ซึ่งเป็นข้อมูลส่วนบุคคล",
        "{field} contains what looks like an e-mail address ({value}): personal data",
    ),
    "personal-in-address": (
        "ช่อง {field} เป็นส่วนหนึ่งของที่อยู่หน้าเว็บ (URL) แต่มีข้อมูลส่วนบุคคล ({value}) ซึ่งปิดบังให้ไม่ได้",
        "{field} becomes part of the site's addresses (URLs) but holds personal data ({value}),"
        " which cannot be redacted there",
    ),
    "report-folder-year": (
        "รายงานลงวันที่ปี ค.ศ. {year} แต่อยู่ในโฟลเดอร์ {folder}",
        "the report is dated {year} but sits in folder {folder}",
    ),
}

HINTS: dict[str, tuple[str, str]] = {
    "hint-did-you-mean": ("น่าจะหมายถึง {suggestion}", "did you mean {suggestion}?"),
    "hint-ce-date": ("น่าจะหมายถึง {suggestion} (ปี ค.ศ.)", "probably meant {suggestion} (CE)"),
    "hint-be-date": (
        "น่าจะหมายถึง {suggestion} หรือเขียนแบบสากลว่า {iso}",
        "probably meant {suggestion}, or in ISO form {iso}",
    ),
    "hint-fiscal-be": ("น่าจะหมายถึง {suggestion}", "probably meant {suggestion}"),
    "hint-money": ("เช่น {suggestion}", "for example {suggestion}"),
    "hint-rename": (
        "เปลี่ยนชื่อไฟล์เป็น {value}.md หรือแก้ id เป็น {stem}",
        "rename the file to {value}.md or set id to {stem}",
    ),
    "hint-nearest": ("ที่ใกล้เคียง: {suggestion}", "nearest: {suggestion}"),
    "hint-located": ("ชื่อนี้อยู่ที่ {suggestion}", "that name is at {suggestion}"),
    "hint-balance": ("ยอดคงเหลือที่ถูกต้องคือ {expected}", "the balance should be {expected}"),
    "hint-add-report": (
        "เพิ่มรายงานใน content/reports/ หรือแก้สถานะโครงการ",
        "add a report under content/reports/ or change the status",
    ),
    "hint-report-window": (
        "เพิ่มรายงานที่ลงวันที่ในช่วงนั้นใน content/reports/ หรือแก้วันที่ของงวด (report_start, report_end)",
        "add a report dated in that window under content/reports/, or correct the installment's"
        " report_start and report_end",
    ),
    "hint-close-project": (
        "แก้สถานะเป็น completed (เสร็จสิ้น) หรือ cancelled (ยกเลิก) หรือแก้วันสิ้นสุด (end) ถ้าขยายเวลาโครงการ",
        "set status to completed or cancelled, or correct end if the project was extended",
    ),
    "hint-returned": (
        "เงินคืนได้ไม่เกิน {suggestion} บาท (งบประมาณ − เงินที่รายงานว่าใช้)",
        "at most {suggestion} THB can be returned (the budget less the money reported spent)",
    ),
    "hint-swap": (
        "ลองสลับละติจูดกับลองจิจูด: [{suggestion}]",
        "latitude and longitude may be swapped: [{suggestion}]",
    ),
    "hint-personal": (
        "ลบข้อมูลส่วนบุคคลออก ข้อมูลนี้จะเผยแพร่ต่อสาธารณะ",
        "remove it: everything here is published",
    ),
    "hint-personal-number": (
        "ลบข้อมูลส่วนบุคคลออก ช่องนี้จะไม่เผยแพร่ (หน้าเว็บแสดงว่า ไม่ระบุ)",
        'remove it: the field is left out of the site (pages say "not stated")',
    ),
    "hint-personal-address": (
        "เปลี่ยนค่านี้ (และชื่อไฟล์ที่ตรงกัน) ให้ไม่มีข้อมูลส่วนบุคคล",
        "change it (and the file named after it) so that it holds no personal data",
    ),
    "hint-data-license": (
        "เพิ่มบรรทัด data_license: CC-BY-4.0 (หรือรหัส SPDX อื่น เช่น CC0-1.0, ODbL-1.0) ใน data/site.yaml",
        "add data_license: CC-BY-4.0 (or another SPDX id such as CC0-1.0 or ODbL-1.0) to"
        " data/site.yaml",
    ),
    "hint-recommended": (
        "กรอกเมื่อทราบข้อมูล",
        "fill it in when known",
    ),
}

#: Why a text cannot be an id (``validate.types.id_problem``): Thai, English.
ID_REASONS: dict[str, tuple[str, str]] = {
    "empty": ("ต้องไม่ว่าง", "it is empty"),
    "char": (
        "มีตัวอักษร {char} ซึ่งใช้ในรหัสไม่ได้ (ใช้ได้เฉพาะตัวอักษรไทย อังกฤษ ตัวเลข และ - _ .)",
        "it holds {char}; ids use only Thai and English letters, digits, and - _ .",
    ),
    "start": (
        "ต้องขึ้นต้นด้วยตัวอักษรหรือตัวเลข ไม่ใช่ {char}",
        "it must start with a letter or digit, not {char}",
    ),
    "dots": (
        "ห้ามมีจุดสองจุดติดกันหรือจุดท้ายรหัส",
        "it must not hold two dots in a row or end with a dot",
    ),
    "long": ("ยาวเกิน {limit} ไบต์", "it is longer than {limit} bytes"),
    "reserved": (
        "เป็นชื่อที่เว็บไซต์ใช้เองแล้ว ให้ตั้งรหัสอื่น",
        "the site uses that name for its own files; choose another",
    ),
}

#: How YAML reads a number written with a leading 0, 0x or a colon (``yaml-number``).
NUMBER_FORMS: dict[str, tuple[str, str]] = {
    "octal": ("เลขฐานแปด", "an octal number"),
    "base": ("เลขฐานสิบหกหรือฐานสอง", "a hexadecimal or binary number"),
    "sexagesimal": ("เลขฐานหกสิบ (แบบเวลา)", "a base-60 number (like a time)"),
}

KIND_NAMES: dict[str, tuple[str, str]] = {
    "fund": ("กองทุน", "fund"),
    "plan": ("แผนงาน", "plan"),
    "project": ("โครงการ", "project"),
    "report": ("รายงาน", "report"),
    "page": ("หน้า", "page"),
    "issue": ("ประเด็น", "issue"),
    "region": ("เขต", "region"),
    "site": ("เว็บไซต์", "site"),
    "media": ("ไฟล์", "file"),
}

LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "province": ("จังหวัด", "province"),
    "district": ("อำเภอ", "district"),
    "subdistrict": ("ตำบล", "sub-district"),
    "region": ("เขต", "region"),
}

UI: dict[str, tuple[str, str]] = {
    "error": ("error", "error"),
    "warning": ("warning", "warning"),
    "hint-prefix": ("→ ", "→ "),
    "summary": (
        "พบข้อผิดพลาด {errors} รายการ คำเตือน {warnings} รายการ ใน {files} ไฟล์",
        "{errors} error{errors_s}, {warnings} warning{warnings_s} in {files} file{files_s}",
    ),
    "clean": ("ไม่พบปัญหา: ตรวจ {records} ไฟล์", "no problems: {records} files checked"),
    "no-folder": (
        "fundsite: ไม่พบโฟลเดอร์ {path} (no such folder)",
        "fundsite: {path}: no such folder",
    ),
    "disk-full": (
        "fundsite: ดิสก์เต็ม เขียน {path} ไม่ได้: เพิ่มพื้นที่ว่างแล้วสร้างใหม่ (เว็บเดิมยังอยู่ครบ)",
        "fundsite: the disk is full, {path} could not be written: free some space and build"
        " again (the previous site is untouched)",
    ),
    "read-only": (
        "fundsite: ไม่มีสิทธิ์เขียน {path} ({detail}): ใช้ -o กับโฟลเดอร์ที่เขียนได้",
        "fundsite: {path} cannot be written ({detail}): give -o a folder you can write to",
    ),
    "os-error": (
        "fundsite: {path}: {detail} (เว็บเดิมยังอยู่ครบ)",
        "fundsite: {path}: {detail} (the previous site is untouched)",
    ),
    "cache-inside-site": (
        "fundsite: โฟลเดอร์แคช {path} อยู่ในโฟลเดอร์เว็บไซต์ ซึ่ง commit อาจวางไฟล์ไว้ได้:"
        " ตั้ง FUNDSITE_CACHE_DIR ให้อยู่นอกเว็บไซต์",
        "fundsite: the cache folder {path} is inside the site, where a commit could place"
        " files: point FUNDSITE_CACHE_DIR outside the site",
    ),
    "internal-error": (
        "fundsite ทำงานผิดพลาด (เป็นข้อบกพร่องของโปรแกรม ไม่ใช่ของข้อมูล): {detail}"
        " โปรดแจ้งผู้ดูแล พร้อมผลของคำสั่งเดิมเมื่อตั้ง FUNDSITE_DEBUG=1",
        "fundsite failed (a bug in fundsite, not in the records): {detail}; please report it"
        " with the output of the same command run with FUNDSITE_DEBUG=1",
    ),
}


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""


def pick(pair: tuple[str, str], lang: str) -> str:
    """The English text of a (Thai, English) pair for ``lang == "en"``, else the Thai."""
    return pair[1] if lang == "en" else pair[0]


def _params(problem: Problem, lang: str) -> _Defaults:
    values = _Defaults(problem.params)
    values["field"] = problem.field or ""
    for key in ("kind", "level", "parent", "form"):
        names = {"kind": KIND_NAMES, "form": NUMBER_FORMS}.get(key, LEVEL_NAMES)
        if (code := problem.params.get(f"{key}_code")) and code in names:
            values[f"{key}_th"], values[f"{key}_en"] = names[code]
    return values


def render(problem: Problem, lang: str = "th") -> tuple[str, str | None]:
    """The message and the optional "probably meant" line of a problem."""
    values = _params(problem, lang)
    template = MESSAGES.get(problem.code, ("{code}", "{code}"))
    values.setdefault("code", problem.code)
    text = pick(template, lang).format_map(values)
    hint = None
    if problem.hint and problem.hint in HINTS:
        hint = pick(HINTS[problem.hint], lang).format_map(values)
    return text, hint


def ui(key: str, lang: str = "th", **params: Any) -> str:
    return pick(UI[key], lang).format(**params)
