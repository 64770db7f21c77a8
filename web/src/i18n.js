// Every string the app shows, in English and Burmese, and the language
// switch. Category names come from the API (name_en, name_my), area names
// from the boundaries (name_en, name_my).

const en = {
  app_title: "concernmap",
  app_subtitle: "Community security concerns",
  loading: "Loading…",
  skip_map: "Skip the map",
  lang_toggle: "မြန်မာ",
  lang_toggle_label: "မြန်မာဘာသာသို့ ပြောင်းရန် (Switch to Burmese)",
  sign_in: "Sign in",
  sign_out: "Sign out",
  username: "Username",
  password: "Password",
  signing_in: "Signing in…",
  need_username: "Enter your username.",
  need_password: "Enter your password.",
  signin_failed: "Wrong username or password, or too many tries: wait a minute and try again.",
  visitor_intro: "Sign in to report community-security concerns and follow what is done about them.",
  public_map_note: "The map shows the number of reports per village tract. Exact places are shown only after sign-in.",
  no_public_map: "The map is shown after sign-in.",
  map_label: "Map of concerns and areas",

  role_cswg_member: "CSWG member",
  role_cswg_coordinator: "CSWG coordinator",
  role_authority: "Authority",
  role_advocate: "Advocate",
  role_admin: "Administrator",
  signed_in_as: "{name}, {role}",

  report_title: "Report a concern",
  locate_me: "Locate me",
  draw_point: "Place a point",
  draw_line: "Draw a line",
  draw_polygon: "Draw an area",
  hint_point: "Tap the map where the danger is.",
  hint_line: "Tap along the route. Tap the last point again to finish.",
  hint_polygon: "Tap the corners. Tap the first point to close the area.",
  use_centre: "Use the map centre",
  stop_drawing: "Finish",
  locating: "Finding your location…",
  located: "Your location is marked (within about {m} m). Move the map and tap to correct it.",
  geo_denied: "Location is blocked. Allow location for this site in the browser settings, or tap the map to place the point.",
  geo_unavailable: "Your location could not be found. Try again outside, or tap the map.",
  geo_timeout: "Finding your location took too long. Try again, or tap the map.",
  geo_unsupported: "This browser cannot give your location here (it needs a secure https address). Tap the map instead.",
  geom_none: "No place chosen yet: use the buttons above.",
  geom_point: "Place: a point.",
  geom_line: "Place: a line of {n} points.",
  geom_polygon: "Place: an area with {n} corners.",
  drawing_loading: "Loading the drawing tools…",
  drawing_failed: "The drawing tools could not be loaded. Check the connection and try again.",

  f_category: "What is the danger?",
  sensitive_note: "Sensitive: others see it only as a count per area.",
  f_severity: "How serious is it?",
  severity_1: "1 – a little",
  severity_2: "2",
  severity_3: "3 – serious",
  severity_4: "4",
  severity_5: "5 – very serious",
  f_affected: "Who is affected?",
  f_when: "When is it dangerous?",
  f_when_from: "From",
  f_when_to: "Until",
  f_title: "Short title",
  f_description: "What happens there? (optional)",
  f_observed: "When did you see it? (optional)",
  f_anonymous: "Send without my name. Nobody, not even the coordinators, will know who sent it.",
  f_submit: "Send report",
  f_save: "Save changes",
  f_cancel: "Cancel",
  edit_title: "Edit the concern",
  change_place: "To change the place, use the buttons above.",
  sending: "Sending…",
  sent: "Report sent. Thank you.",
  saved: "Changes saved.",
  offline_kept: "No connection. Your report is kept on this phone; tap Send again when you have signal.",
  pending_found: "A report from before was not sent yet.",
  send_now: "Send now",
  discard: "Discard",
  need_place: "Choose the place first: Locate me, tap the map, or draw.",
  need_category: "Choose what the danger is.",
  need_title: "Write a short title.",
  too_long: "Too long: at most {max} bytes (about {chars} Burmese letters).",
  need_times: "Give both times.",
  stale_edit: "Someone changed this concern meanwhile. The form now shows the latest version; make your change again.",
  error_generic: "Something went wrong: {detail}",
  network_error: "No connection. Try again.",
  signed_out_meanwhile: "You were signed out. Sign in again.",

  when_always: "Always",
  when_day: "In the daytime",
  when_night: "At night",
  when_dry_season: "In the dry season",
  when_rainy_season: "In the rainy season",
  when_window: "Between certain hours",
  when_window_text: "From {from} to {to}",

  group_women: "Women",
  group_men: "Men",
  group_girls: "Girls",
  group_boys: "Boys",
  group_older_people: "Older people",
  group_people_with_disabilities: "People with disabilities",
  group_lgbti: "LGBTI people",
  group_minorities: "Minorities",

  status_reported: "Reported",
  status_verified: "Verified",
  status_prioritised: "Prioritised",
  status_action_planned: "Action planned",
  status_requested: "Requested",
  status_in_progress: "In progress",
  status_resolved: "Resolved",
  status_closed: "Closed",
  move_to: "Move to: {status}",
  note_required: "Note (required)",
  note_optional: "Note (optional)",
  confirm: "Confirm",
  history: "History",
  history_item: "{date}: {from} → {to}",

  area_concerns: "Concerns in {area}",
  area_concerns_view: "Concerns on the map",
  none_yet: "None yet.",
  show_on_map: "Show on map",
  edit: "Edit",
  severity_n: "Severity {n}",
  seen_on: "Seen {date}",
  affected_list: "Affected: {list}",
  nothing_here: "No concern here that you may see.",
  nearby_count: "{n} concerns here",
  nearby_count_one: "1 concern here",
  loading_failed: "Could not load: {detail}",

  plans: "Action plans",
  review_due: "Review due",
  next_review: "Next review: {date}",
  no_review: "No review date",
  tasks_done: "Tasks done: {done} of {n}",
  plan_problem: "Problem",
  plan_steps: "Steps",
  plan_tasks: "Tasks",
  plan_objectives: "Objectives",
  indicator: "{name}: {current} {unit} (from {baseline}, aiming at {target})",
  task_due: "{title} (due {date})",

  inbox: "Requests to you",
  overdue_n: "{n} overdue",
  overdue: "Overdue",
  due_on: "Due {date}",
  filter_area: "Area",
  filter_status: "Status",
  all: "All",
  inbox_empty: "No open requests.",
  concerns_n: "{n} concerns",
  concerns_n_one: "1 concern",
  last_answer: "Last answer: {status}, {date}",
  req_sent: "New",
  req_acknowledged: "Acknowledged",
  req_scheduled: "Scheduled",
  req_done: "Done",
  req_declined: "Declined",
  answer_acknowledged: "Acknowledge",
  answer_scheduled: "Schedule",
  answer_done: "Done",
  answer_declined: "Decline",
  message_optional: "Message (optional)",
  message_decline: "Why do you decline? (required)",
  scheduled_for: "Date of the work",
  confirm_answer: "Confirm: {answer}",
  answered: "Answer sent: {answer}.",
  need_reason: "Write the reason for declining.",
  need_date: "Choose the date of the work.",

  advocate: "Patterns",
  metric: "Colour the village tracts by",
  metric_count: "Number of reports",
  metric_density: "Reports per km²",
  layer_hotspots: "Show hotspots (Getis-Ord Gi*)",
  filter_category: "Category",
  filter_affected: "Affected group",
  all_categories: "All categories",
  all_groups: "All groups",
  time_from: "From month",
  time_to: "Until month",
  legend: "Legend",
  legend_suppressed: "Fewer than {k} (not shown exactly)",
  legend_zero: "No reports",
  legend_concerns: "Concerns",
  legend_cluster: "Group of concerns (tap to zoom in)",
  hot_99: "Hotspot, 99% confidence",
  hot_95: "Hotspot, 95% confidence",
  hot_90: "Hotspot, 90% confidence",
  cold_90: "Coldspot, 90% confidence",
  cold_95: "Coldspot, 95% confidence",
  cold_99: "Coldspot, 99% confidence",
  chart_title: "Reports per month, by category",
  chart_label: "Bar chart of reports per month, by category",
  chart_empty: "No reports in this period.",
  chart_note: "Months with fewer than {k} reports of a category may count as 0 here.",
  table_title: "Village tracts ranked by reports",
  col_rank: "#",
  col_tract: "Village tract",
  col_reports: "Reports",
  col_density: "per km²",
  col_top: "Most reported",
  table_more: "{n} more tracts in the CSV file.",
  download_csv: "Download the table (CSV)",
  print_button: "Print layout",
  print_now: "Print",
  print_back: "Back",
  print_title: "Title",
  print_title_default: "Community security concerns",
  printed_on: "Printed {date}",
  filters_now: "Showing: {filters}",
  data_note:
    "Counts under {k} are shown as “<{k}”. Sensitive categories ({sensitive}) appear only as counts per area, never as points on the map. Hotspots are Getis-Ord Gi* statistics: a hotspot has more reports than its neighbours would explain by chance.",
  area_popup: "{name}: {count} reports",
  area_popup_density: "{density} per km²",
};

const my = {
  app_title: "concernmap",
  app_subtitle: "ရပ်ရွာလုံခြုံရေး စိုးရိမ်ချက်များ",
  loading: "ဖွင့်နေသည်…",
  skip_map: "မြေပုံကို ကျော်ရန်",
  lang_toggle: "English",
  lang_toggle_label: "English သို့ ပြောင်းရန် (Switch to English)",
  sign_in: "ဝင်ရောက်ရန်",
  sign_out: "ထွက်ရန်",
  username: "အသုံးပြုသူ အမည်",
  password: "စကားဝှက်",
  signing_in: "ဝင်ရောက်နေသည်…",
  need_username: "အသုံးပြုသူ အမည်ကို ထည့်ပါ။",
  need_password: "စကားဝှက်ကို ထည့်ပါ။",
  signin_failed: "အသုံးပြုသူ အမည် သို့မဟုတ် စကားဝှက် မှားနေသည်၊ သို့မဟုတ် ကြိုးစားမှု များလွန်းသည်- ခဏစောင့်ပြီး ထပ်ကြိုးစားပါ။",
  visitor_intro: "ရပ်ရွာလုံခြုံရေး စိုးရိမ်ချက်များကို တင်ပြရန်နှင့် ၎င်းတို့အတွက် ဆောင်ရွက်ချက်များကို စောင့်ကြည့်ရန် ဝင်ရောက်ပါ။",
  public_map_note: "မြေပုံတွင် ကျေးရွာအုပ်စုအလိုက် တင်ပြချက် အရေအတွက်ကို ပြသည်။ နေရာအတိအကျကို ဝင်ရောက်ပြီးမှသာ ပြသည်။",
  no_public_map: "ဝင်ရောက်ပြီးမှ မြေပုံကို ပြသည်။",
  map_label: "စိုးရိမ်ချက်များနှင့် နယ်မြေများ ပြသော မြေပုံ",

  role_cswg_member: "ရပ်ရွာလုံခြုံရေး လုပ်ငန်းအဖွဲ့ဝင်",
  role_cswg_coordinator: "ရပ်ရွာလုံခြုံရေး လုပ်ငန်းအဖွဲ့ ညှိနှိုင်းရေးမှူး",
  role_authority: "အာဏာပိုင်",
  role_advocate: "ထောက်ခံတိုက်တွန်းသူ",
  role_admin: "စီမံခန့်ခွဲသူ",
  signed_in_as: "{name}၊ {role}",

  report_title: "စိုးရိမ်ချက် တင်ပြရန်",
  locate_me: "ကျွန်ုပ်၏ တည်နေရာ",
  draw_point: "အမှတ် ချရန်",
  draw_line: "မျဉ်း ဆွဲရန်",
  draw_polygon: "ဧရိယာ ဆွဲရန်",
  hint_point: "အန္တရာယ်ရှိသော နေရာကို မြေပုံပေါ်တွင် နှိပ်ပါ။",
  hint_line: "လမ်းကြောင်းတစ်လျှောက် နှိပ်ပါ။ ပြီးဆုံးရန် နောက်ဆုံးအမှတ်ကို ထပ်နှိပ်ပါ။",
  hint_polygon: "ထောင့်များကို နှိပ်ပါ။ ဧရိယာကို ပိတ်ရန် ပထမအမှတ်ကို ပြန်နှိပ်ပါ။",
  use_centre: "မြေပုံ၏ အလယ်ကို သုံးရန်",
  stop_drawing: "ပြီးပါပြီ",
  locating: "သင့်တည်နေရာကို ရှာနေသည်…",
  located: "သင့်တည်နေရာကို မှတ်ထားသည် (မီတာ {m} ခန့်အတွင်း)။ ပြင်လိုလျှင် မြေပုံကို ရွှေ့ပြီး နှိပ်ပါ။",
  geo_denied: "တည်နေရာကို ပိတ်ထားသည်။ ဘရောက်ဇာ ဆက်တင်တွင် ဤဆိုက်အတွက် တည်နေရာကို ခွင့်ပြုပါ၊ သို့မဟုတ် မြေပုံပေါ်တွင် နှိပ်၍ အမှတ်ချပါ။",
  geo_unavailable: "သင့်တည်နေရာကို ရှာမတွေ့ပါ။ အပြင်ဘက်တွင် ထပ်ကြိုးစားပါ၊ သို့မဟုတ် မြေပုံပေါ်တွင် နှိပ်ပါ။",
  geo_timeout: "တည်နေရာ ရှာရာတွင် အချိန်ကြာလွန်းသည်။ ထပ်ကြိုးစားပါ၊ သို့မဟုတ် မြေပုံပေါ်တွင် နှိပ်ပါ။",
  geo_unsupported: "ဤဘရောက်ဇာသည် ဤလိပ်စာတွင် တည်နေရာကို မပေးနိုင်ပါ (လုံခြုံသော https လိပ်စာ လိုအပ်သည်)။ မြေပုံပေါ်တွင် နှိပ်ပါ။",
  geom_none: "နေရာ မရွေးရသေးပါ။ အထက်ပါ ခလုတ်များကို သုံးပါ။",
  geom_point: "နေရာ- အမှတ်တစ်ခု။",
  geom_line: "နေရာ- အမှတ် {n} ခုပါသော မျဉ်း။",
  geom_polygon: "နေရာ- ထောင့် {n} ခုပါသော ဧရိယာ။",
  drawing_loading: "ဆွဲသည့် ကိရိယာများကို ဖွင့်နေသည်…",
  drawing_failed: "ဆွဲသည့် ကိရိယာများကို ဖွင့်၍ မရပါ။ ချိတ်ဆက်မှုကို စစ်ဆေးပြီး ထပ်ကြိုးစားပါ။",

  f_category: "မည်သည့် အန္တရာယ်နည်း။",
  sensitive_note: "ထိလွယ်ရှလွယ်- အခြားသူများသည် နယ်မြေအလိုက် အရေအတွက်အဖြစ်သာ မြင်ရသည်။",
  f_severity: "မည်မျှ ပြင်းထန်သနည်း။",
  severity_1: "၁ – အနည်းငယ်",
  severity_2: "၂",
  severity_3: "၃ – ပြင်းထန်",
  severity_4: "၄",
  severity_5: "၅ – အလွန် ပြင်းထန်",
  f_affected: "မည်သူများ ထိခိုက်သနည်း။",
  f_when: "မည်သည့်အချိန်တွင် အန္တရာယ်ရှိသနည်း။",
  f_when_from: "စတင်ချိန်",
  f_when_to: "ပြီးဆုံးချိန်",
  f_title: "ခေါင်းစဉ် အတိုချုပ်",
  f_description: "ထိုနေရာတွင် ဘာဖြစ်သနည်း။ (မဖြည့်လည်း ရသည်)",
  f_observed: "မည်သည့်အချိန်က တွေ့ခဲ့သနည်း။ (မဖြည့်လည်း ရသည်)",
  f_anonymous: "ကျွန်ုပ်၏ အမည်မပါဘဲ ပို့ရန်။ ညှိနှိုင်းရေးမှူးများ အပါအဝင် မည်သူမျှ ပို့သူကို သိမည်မဟုတ်ပါ။",
  f_submit: "တင်ပြချက် ပို့ရန်",
  f_save: "ပြင်ဆင်ချက်များ သိမ်းရန်",
  f_cancel: "မလုပ်တော့ပါ",
  edit_title: "စိုးရိမ်ချက်ကို ပြင်ရန်",
  change_place: "နေရာ ပြောင်းလိုလျှင် အထက်ပါ ခလုတ်များကို သုံးပါ။",
  sending: "ပို့နေသည်…",
  sent: "တင်ပြချက် ပို့ပြီးပါပြီ။ ကျေးဇူးတင်ပါသည်။",
  saved: "ပြင်ဆင်ချက်များ သိမ်းပြီးပါပြီ။",
  offline_kept: "ချိတ်ဆက်မှု မရှိပါ။ သင့်တင်ပြချက်ကို ဤဖုန်းတွင် သိမ်းထားသည်။ လိုင်းမိသောအခါ ပို့ရန်ကို ထပ်နှိပ်ပါ။",
  pending_found: "ယခင်က မပို့ရသေးသော တင်ပြချက်တစ်ခု ရှိသည်။",
  send_now: "ယခု ပို့ရန်",
  discard: "ပယ်ဖျက်ရန်",
  need_place: "နေရာကို အရင်ရွေးပါ- ကျွန်ုပ်၏ တည်နေရာ၊ မြေပုံပေါ်တွင် နှိပ်ခြင်း သို့မဟုတ် ဆွဲခြင်း။",
  need_category: "အန္တရာယ် အမျိုးအစားကို ရွေးပါ။",
  need_title: "ခေါင်းစဉ် အတိုချုပ် ရေးပါ။",
  too_long: "ရှည်လွန်းသည်- အများဆုံး {max} bytes (မြန်မာစာလုံး {chars} လုံးခန့်)။",
  need_times: "အချိန် နှစ်ခုလုံးကို ထည့်ပါ။",
  stale_edit: "ဤစိုးရိမ်ချက်ကို အခြားသူတစ်ဦးက ပြင်ထားပြီး ဖြစ်သည်။ နောက်ဆုံးမူကို ပြထားသည်။ သင့်ပြင်ဆင်ချက်ကို ထပ်လုပ်ပါ။",
  error_generic: "အမှားတစ်ခု ဖြစ်သွားသည်- {detail}",
  network_error: "ချိတ်ဆက်မှု မရှိပါ။ ထပ်ကြိုးစားပါ။",
  signed_out_meanwhile: "သင် ထွက်ပြီးသား ဖြစ်နေသည်။ ထပ်မံ ဝင်ရောက်ပါ။",

  when_always: "အမြဲတမ်း",
  when_day: "နေ့ဘက်တွင်",
  when_night: "ညဘက်တွင်",
  when_dry_season: "နွေရာသီ (ခြောက်သွေ့ရာသီ) တွင်",
  when_rainy_season: "မိုးရာသီတွင်",
  when_window: "သတ်မှတ်ထားသော အချိန်အတွင်း",
  when_window_text: "{from} မှ {to} အထိ",

  group_women: "အမျိုးသမီးများ",
  group_men: "အမျိုးသားများ",
  group_girls: "မိန်းကလေးများ",
  group_boys: "ယောက်ျားလေးများ",
  group_older_people: "သက်ကြီးရွယ်အိုများ",
  group_people_with_disabilities: "မသန်စွမ်းသူများ",
  group_lgbti: "LGBTI လူများ",
  group_minorities: "လူနည်းစုများ",

  status_reported: "တင်ပြထားသည်",
  status_verified: "အတည်ပြုပြီး",
  status_prioritised: "ဦးစားပေးထားသည်",
  status_action_planned: "လုပ်ငန်းစီမံချက် ရှိပြီး",
  status_requested: "အာဏာပိုင်ထံ တောင်းဆိုထားသည်",
  status_in_progress: "ဆောင်ရွက်နေဆဲ",
  status_resolved: "ဖြေရှင်းပြီး",
  status_closed: "ပိတ်ထားသည်",
  move_to: "{status} သို့ ပြောင်းရန်",
  note_required: "မှတ်ချက် (မဖြစ်မနေ ရေးရန်)",
  note_optional: "မှတ်ချက် (မဖြည့်လည်း ရသည်)",
  confirm: "အတည်ပြုရန်",
  history: "မှတ်တမ်း",
  history_item: "{date}- {from} → {to}",

  area_concerns: "{area} ရှိ စိုးရိမ်ချက်များ",
  area_concerns_view: "မြေပုံပေါ်ရှိ စိုးရိမ်ချက်များ",
  none_yet: "မရှိသေးပါ။",
  show_on_map: "မြေပုံပေါ်တွင် ပြရန်",
  edit: "ပြင်ရန်",
  severity_n: "ပြင်းထန်မှု {n}",
  seen_on: "{date} တွင် တွေ့",
  affected_list: "ထိခိုက်သူများ- {list}",
  nothing_here: "ဤနေရာတွင် သင်ကြည့်ခွင့်ရှိသော စိုးရိမ်ချက် မရှိပါ။",
  nearby_count: "ဤနေရာတွင် စိုးရိမ်ချက် {n} ခု",
  loading_failed: "ဖွင့်၍ မရပါ- {detail}",

  plans: "လုပ်ငန်းစီမံချက်များ",
  review_due: "ပြန်လည်သုံးသပ်ရန် အချိန်တန်ပြီ",
  next_review: "နောက်တစ်ကြိမ် သုံးသပ်မည့်ရက်- {date}",
  no_review: "သုံးသပ်မည့်ရက် မသတ်မှတ်ရသေးပါ",
  tasks_done: "ပြီးစီးသော တာဝန်များ- {n} ခုတွင် {done} ခု",
  plan_problem: "ပြဿနာ",
  plan_steps: "လုပ်ဆောင်ရမည့် အဆင့်များ",
  plan_tasks: "တာဝန်များ",
  plan_objectives: "ရည်မှန်းချက်များ",
  indicator: "{name}- {current} {unit} ({baseline} မှ စတင်၍ {target} ကို ရည်မှန်း)",
  task_due: "{title} ({date} နောက်ဆုံးထား)",

  inbox: "သင့်ထံ တောင်းဆိုချက်များ",
  overdue_n: "သတ်မှတ်ရက် ကျော်လွန်- {n} ခု",
  overdue: "ရက်လွန်",
  due_on: "ပြီးရမည့်ရက်- {date}",
  filter_area: "နယ်မြေ",
  filter_status: "အခြေအနေ",
  all: "အားလုံး",
  inbox_empty: "ဖွင့်ထားသော တောင်းဆိုချက် မရှိပါ။",
  concerns_n: "စိုးရိမ်ချက် {n} ခု",
  last_answer: "နောက်ဆုံး ပြန်ကြားချက်- {status}၊ {date}",
  req_sent: "အသစ်",
  req_acknowledged: "လက်ခံသိရှိပြီး",
  req_scheduled: "ရက်သတ်မှတ်ပြီး",
  req_done: "ပြီးစီးပြီ",
  req_declined: "ငြင်းပယ်ထားသည်",
  answer_acknowledged: "သိရှိကြောင်း ပြန်ကြားရန်",
  answer_scheduled: "ရက်သတ်မှတ်ရန်",
  answer_done: "ပြီးစီးပြီ",
  answer_declined: "ငြင်းပယ်ရန်",
  message_optional: "စာ (မဖြည့်လည်း ရသည်)",
  message_decline: "ငြင်းပယ်ရသည့် အကြောင်းရင်း (မဖြစ်မနေ ရေးရန်)",
  scheduled_for: "ဆောင်ရွက်မည့် ရက်စွဲ",
  confirm_answer: "အတည်ပြုရန်- {answer}",
  answered: "ပြန်ကြားချက် ပို့ပြီးပါပြီ- {answer}။",
  need_reason: "ငြင်းပယ်ရသည့် အကြောင်းရင်းကို ရေးပါ။",
  need_date: "ဆောင်ရွက်မည့် ရက်စွဲကို ရွေးပါ။",

  advocate: "ပုံစံများ",
  metric: "ကျေးရွာအုပ်စုများကို အရောင်ခွဲရန်",
  metric_count: "တင်ပြချက် အရေအတွက်",
  metric_density: "တစ်စတုရန်းကီလိုမီတာလျှင် တင်ပြချက်",
  layer_hotspots: "အဖြစ်များသော နေရာများ ပြရန် (Getis-Ord Gi*)",
  filter_category: "အမျိုးအစား",
  filter_affected: "ထိခိုက်သူ အုပ်စု",
  all_categories: "အမျိုးအစား အားလုံး",
  all_groups: "အုပ်စု အားလုံး",
  time_from: "စတင်သည့် လ",
  time_to: "ပြီးဆုံးသည့် လ",
  legend: "အညွှန်း",
  legend_suppressed: "{k} ခုထက် နည်း (အတိအကျ မပြ)",
  legend_zero: "တင်ပြချက် မရှိ",
  legend_concerns: "စိုးရိမ်ချက်များ",
  legend_cluster: "စိုးရိမ်ချက် အစု (ချဲ့ကြည့်ရန် နှိပ်ပါ)",
  hot_99: "အဖြစ်များသော နေရာ၊ ယုံကြည်မှု ၉၉%",
  hot_95: "အဖြစ်များသော နေရာ၊ ယုံကြည်မှု ၉၅%",
  hot_90: "အဖြစ်များသော နေရာ၊ ယုံကြည်မှု ၉၀%",
  cold_90: "အဖြစ်နည်းသော နေရာ၊ ယုံကြည်မှု ၉၀%",
  cold_95: "အဖြစ်နည်းသော နေရာ၊ ယုံကြည်မှု ၉၅%",
  cold_99: "အဖြစ်နည်းသော နေရာ၊ ယုံကြည်မှု ၉၉%",
  chart_title: "လအလိုက်၊ အမျိုးအစားအလိုက် တင်ပြချက်များ",
  chart_label: "လအလိုက်၊ အမျိုးအစားအလိုက် တင်ပြချက် ဘားဇယား",
  chart_empty: "ဤကာလတွင် တင်ပြချက် မရှိပါ။",
  chart_note: "အမျိုးအစားတစ်ခု၏ တင်ပြချက် {k} ခုထက်နည်းသော လများကို ဤနေရာတွင် ၀ ဟု ရေတွက်နိုင်သည်။",
  table_title: "တင်ပြချက် အရေအတွက်အလိုက် ကျေးရွာအုပ်စုများ",
  col_rank: "စဉ်",
  col_tract: "ကျေးရွာအုပ်စု",
  col_reports: "တင်ပြချက်",
  col_density: "တစ် စ.က.မ လျှင်",
  col_top: "အများဆုံး တင်ပြသည့် အမျိုးအစား",
  table_more: "ကျန်ကျေးရွာအုပ်စု {n} ခုကို CSV ဖိုင်တွင် ကြည့်ပါ။",
  download_csv: "ဇယားကို ရယူရန် (CSV)",
  print_button: "ပုံနှိပ်ရန် အပြင်အဆင်",
  print_now: "ပုံနှိပ်ရန်",
  print_back: "နောက်သို့",
  print_title: "ခေါင်းစဉ်",
  print_title_default: "ရပ်ရွာလုံခြုံရေး စိုးရိမ်ချက်များ",
  printed_on: "{date} တွင် ပုံနှိပ်သည်",
  filters_now: "ပြသထားသည်- {filters}",
  data_note:
    "{k} ခုထက်နည်းသော အရေအတွက်များကို “<{k}” ဟု ပြသည်။ ထိလွယ်ရှလွယ် အမျိုးအစားများ ({sensitive}) ကို နယ်မြေအလိုက် အရေအတွက်အဖြစ်သာ ပြပြီး မြေပုံပေါ်တွင် အမှတ်အဖြစ် ဘယ်တော့မှ မပြပါ။ အဖြစ်များသော နေရာများကို Getis-Ord Gi* စာရင်းအင်းဖြင့် တွက်သည်- ထိုနေရာတွင် အိမ်နီးချင်း နယ်မြေများထက် တင်ပြချက်များသည်မှာ မတော်တဆ ဖြစ်နိုင်ခြေ နည်းသည်။",
  area_popup: "{name}- တင်ပြချက် {count} ခု",
  area_popup_density: "တစ်စတုရန်းကီလိုမီတာလျှင် {density}",
};

export const strings = { en, my };

const storageKey = "concernmap.lang";
let lang = "en";
const listeners = [];

// initialLang is the language before sign-in: the last one chosen on this
// phone, else the browser's.
export function initialLang() {
  let stored = null;
  try {
    stored = localStorage.getItem(storageKey);
  } catch {
    // Storage can be off in private windows.
  }
  if (stored === "en" || stored === "my") return stored;
  const nav = (navigator.languages && navigator.languages[0]) || navigator.language || "";
  return nav.toLowerCase().startsWith("my") ? "my" : "en";
}

export function currentLang() {
  return lang;
}

// t returns the string for key in the current language, with {name}
// placeholders filled from vars.
export function t(key, vars) {
  // English counts one thing in the singular: "1 concern". A key_one form
  // is used where it exists; Burmese has none and needs none.
  if (vars && vars.n === 1 && strings[lang][key + "_one"]) key += "_one";
  let s = strings[lang][key] ?? strings.en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// setLang switches the language, translates the page and tells every view
// to draw itself again.
export function setLang(l, remember = true) {
  lang = l === "my" ? "my" : "en";
  document.documentElement.lang = lang;
  if (remember) {
    try {
      localStorage.setItem(storageKey, lang);
    } catch {
      // Not remembered; the switch still works for this page.
    }
  }
  translate(document);
  for (const fn of listeners) fn(lang);
}

// onLangChange registers fn to run after every language switch.
export function onLangChange(fn) {
  listeners.push(fn);
}

// translate fills the elements that name their string in data-i18n (text),
// data-i18n-label (aria-label) or data-i18n-title (title).
export function translate(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
}

// nameOf picks the Burmese or English name of a category or an area.
export function nameOf(x) {
  if (!x) return "";
  const n = lang === "my" ? x.name_my || x.name_en || x.name : x.name_en || x.name || x.name_my;
  return n || x.pcode || x.key || "";
}

// formatDate shows a date or time as the day, e.g. 2026-03-01.
export function formatDate(s) {
  if (!s) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// formatNumber shows a density or other fraction with two significant
// digits, and whole counts as they are.
export function formatNumber(n) {
  if (typeof n !== "number") return String(n ?? "");
  if (Number.isInteger(n)) return String(n);
  if (n === 0) return "0";
  return String(Number(n.toPrecision(2)));
}
