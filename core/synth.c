/*
 * Synthetic candidates: realistic enough that the demo, the tests and the
 * benchmarks exercise what real applicants bring (Vietnamese diacritics,
 * Indonesian single names, Myanmar names without a family name, Thai, Khmer
 * and Devanagari native scripts, applicants already living in Japan), and
 * fully deterministic: candidate `index` of `seed` depends on nothing else,
 * so any one of a million can be produced on its own, in any order.
 *
 * Each (seed, index) gets its own splitmix64 stream, seeded by BLAKE2b over
 * a stream label, the seed and the index. Passport serials are not drawn at
 * random but come from a keyed permutation of the index, so two indexes of
 * one seed can never share a passport number (for the first ten million
 * indexes, which is as many as a 7-digit serial can tell apart).
 */
#include "core/synth.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

/* ---- random streams ---------------------------------------------------- */

struct rng {
	uint64_t state;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rng_next(struct rng *r)
{
	r->state += 0x9e3779b97f4a7c15u;
	return mix64(r->state);
}

/* Uniform in [0, n); the bias of the multiply-shift is below 2^-32. */
static unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(((rng_next(r) >> 32) * n) >> 32);
}

static int rng_range(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (unsigned)(hi - lo + 1));
}

static int rng_permille(struct rng *r, unsigned permille)
{
	return rng_below(r, 1000) < permille;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Independent streams per purpose, so adding a draw to one (the photo, say)
 * never changes what another produces. */
static void rng_init(struct rng *r, const char *stream, uint64_t seed, uint64_t index)
{
	unsigned char in[32] = { 0 }, out[crypto_generichash_BYTES_MIN];
	size_t n = strlen(stream);
	memcpy(in, stream, n < 16 ? n : 16);
	put_le64(in + 16, seed);
	put_le64(in + 24, index);
	crypto_generichash(out, sizeof(out), in, sizeof(in), NULL, 0);
	uint64_t s = 0;
	for (int i = 0; i < 8; i++)
		s |= (uint64_t)out[i] << (8 * i);
	r->state = s;
}

/* ---- names ------------------------------------------------------------- */

/* A list of names: Latin only (stride 1) or Latin/native pairs (stride 2). */
struct names {
	const char *const *v;
	size_t count;
	int stride;
};

#define LATIN(a) { a, sizeof(a) / sizeof((a)[0]), 1 }
#define PAIRS(a) { a, sizeof(a) / sizeof((a)[0]) / 2, 2 }
#define NONE { NULL, 0, 1 }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Viet Nam: uppercase as in the passport's visual zone; the stripped form
 * is derived (Đ becomes D, as in the machine-readable zone). */
static const char *const vn_family[] = {
	"NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG",
	"BÙI", "ĐỖ", "HỒ", "NGÔ", "DƯƠNG", "LÝ", "ĐINH", "TRỊNH", "ĐÀO", "MAI",
	"TRƯƠNG", "LƯƠNG", "LÂM", "CAO", "TẠ", "HÀ",
};
static const char *const vn_given_m[] = {
	"VĂN AN", "VĂN HÙNG", "ĐỨC MINH", "QUỐC HUY", "MINH TUẤN", "THANH TÙNG",
	"HOÀNG LONG", "VĂN ĐỨC", "XUÂN TRƯỜNG", "CÔNG PHƯỢNG", "VĂN THÀNH", "HỮU NGHĨA",
	"ĐÌNH KHOA", "QUANG HẢI", "VĂN HIẾU", "TIẾN DŨNG", "NGỌC SƠN", "VĂN NAM",
	"TRUNG KIÊN", "MẠNH CƯỜNG", "VĂN TOÀN", "ĐỨC THẮNG", "VĂN QUYẾT", "HẢI ĐĂNG",
	"GIA BẢO", "VĂN PHÚC", "THÀNH ĐẠT", "VĂN LỢI", "ANH TUẤN", "DUY KHÁNH",
	"VĂN TÂM", "HỮU PHƯỚC",
};
static const char *const vn_given_f[] = {
	"THỊ HOA", "THỊ LAN", "THỊ HƯƠNG", "THỊ MAI", "THỊ THU", "NGỌC ANH", "THỊ HẰNG",
	"THỊ NGA", "THU TRANG", "THỊ HUYỀN", "THỊ PHƯƠNG", "KIM NGÂN", "THỊ THẢO",
	"MỸ LINH", "THỊ YẾN", "HỒNG NHUNG", "THỊ DUNG", "THANH HÀ", "THỊ LIÊN",
	"BẢO NGỌC", "THỊ OANH", "THỊ LOAN", "KHÁNH LINH", "THỊ TRANG", "THỊ VÂN",
	"THỊ HẠNH", "MINH CHÂU", "THỊ NHUNG", "PHƯƠNG THẢO", "THỊ HIỀN",
};

static const char *const id_family_m[] = {
	"SANTOSO", "SETIAWAN", "PRASETYO", "HIDAYAT", "SAPUTRA", "WIJAYA", "KURNIAWAN",
	"NUGROHO", "PURNOMO", "SUSANTO", "HARIYANTO", "GUNAWAN", "WIBOWO", "RAMADHAN",
	"FIRMANSYAH", "SETIADI", "HERMAWAN", "SUHERMAN", "PRATAMA", "SISWANTO", "SURYADI",
	"HAKIM",
};
static const char *const id_family_f[] = {
	"LESTARI", "RAHAYU", "KUSUMAWATI", "HANDAYANI", "PERMATASARI", "ANGGRAINI",
	"WULANDARI", "SAPUTRI", "PURNAMASARI", "SUSANTI", "NINGSIH", "YULIANTI",
	"RAHMAWATI", "SETIAWATI", "HIDAYATI", "FITRIANI", "KURNIASIH", "MARLINA", "SARI",
	"PRATIWI",
};
static const char *const id_given_m[] = {
	"AGUS", "BUDI", "DEDI", "EKO", "FAJAR", "HENDRA", "IRFAN", "JOKO", "RIZKI", "ARIF",
	"BAYU", "DIMAS", "RUDI", "WAHYU", "YUSUF", "ADI", "TEGUH", "ANDI", "DANI", "HADI",
	"IMAM", "RAHMAT", "ILHAM", "FIRMAN", "GILANG", "MUHAMMAD RIZKI", "AHMAD FAUZI",
	"DWI CAHYO", "YOGA", "ARDI",
};
static const char *const id_given_f[] = {
	"SITI AMINAH", "DEWI", "SRI WAHYUNI", "RINA", "NUR AINI", "AYU", "PUTRI", "INDAH",
	"WULAN", "FITRI", "YULI", "RATNA", "ANISA", "DIAN", "NOVITA", "RISKA", "EKA",
	"INTAN", "MEGA", "LINDA", "YUNI", "SARI", "TITIN", "ERNA", "LINA", "SITI NURHALIZA",
	"DWI ASTUTI", "NURUL", "RIKA", "DESI",
};
/* Javanese single names, as they appear alone in the passport. */
static const char *const id_mononym_m[] = {
	"SUPARMAN", "SUGIYANTO", "MULYADI", "SUTRISNO", "SUPRIYADI", "SUPRAPTO", "SUKIMAN",
	"WAGIMAN", "PAIMIN", "SUYANTO", "HARYONO", "SUNARTO",
};
static const char *const id_mononym_f[] = {
	"SUWARNI", "SUMIATI", "PARMI", "SUPARTI", "SRIYATUN", "TUMINAH", "SUKINAH",
	"WARSINAH", "JUMIATI", "SUMARNI",
};

static const char *const ph_family[] = {
	"DELA CRUZ", "SANTOS", "REYES", "GARCIA", "MENDOZA", "BAUTISTA", "OCAMPO", "CASTILLO",
	"VILLANUEVA", "RAMOS", "AQUINO", "FLORES", "GONZALES", "TORRES", "NAVARRO", "DE LEON",
	"MERCADO", "PASCUAL", "SORIANO", "DOMINGO", "CRUZ", "FERNANDEZ", "LOPEZ", "MANALO",
	"TOLENTINO",
};
static const char *const ph_given_m[] = {
	"JUAN CARLO", "MARK ANTHONY", "JOHN PAUL", "JOSE", "RAFAEL", "MIGUEL", "ANGELO",
	"CHRISTIAN", "JERICHO", "RONALDO", "JOMAR", "RYAN", "KENNETH", "JAYSON", "ARNEL",
	"ROMMEL", "JEFFREY", "MICHAEL", "ALDRIN", "NOEL", "EDWIN", "JOEL", "RENATO",
	"DANILO", "RICHARD", "ALVIN", "BRYAN", "LEONARD", "CARLO", "JOHN REY",
};
static const char *const ph_given_f[] = {
	"MARIA CRISTINA", "MA. LOURDES", "JENNIFER", "ANGELICA", "KRISTINE", "MARICEL", "JOY",
	"ROSALIE", "MARY ANN", "LIEZEL", "CHERRY", "GRACE", "JOANNA", "ANALYN", "MARJORIE",
	"RHEA", "PRINCESS", "NICOLE", "CAMILLE", "JASMINE", "MARY JOY", "RIZA", "LORENA",
	"JOCELYN", "AIRA", "KIMBERLY", "CHRISTINE JOY", "ROWENA", "ARLENE", "SHEILA",
};

/* Myanmar: syllables, romanised as in passports, with the script. */
static const char *const mm_syll_m[] = {
	"AUNG", "အောင်", "KYAW", "ကျော်", "MOE", "မိုး", "MIN", "မင်း", "THU", "သူ",
	"ZAW", "ဇော်", "HTET", "ထက်", "NAING", "နိုင်", "WIN", "ဝင်း", "HLAING", "လှိုင်",
	"TUN", "ထွန်း", "SOE", "စိုး", "PYAE", "ပြည့်", "PHYO", "ဖြိုး", "THANT", "သန့်",
	"LWIN", "လွင်", "MYO", "မျိုး", "NAY", "နေ", "LIN", "လင်း", "ZIN", "ဇင်",
	"THAN", "သန်း", "KHANT", "ခန့်", "PAING", "ပိုင်", "THET", "သက်", "YE", "ရဲ",
	"HEIN", "ဟိန်း", "NAUNG", "နောင်", "WAI", "ဝေ", "YAN", "ရန်", "OO", "ဦး",
};
static const char *const mm_syll_f[] = {
	"SU", "စု", "MYAT", "မြတ်", "NOE", "နိုး", "THIN", "သင်း", "KHIN", "ခင်",
	"HNIN", "နှင်း", "YU", "ယု", "PHYU", "ဖြူ", "MAY", "မေ", "THIRI", "သီရိ",
	"EI", "အိ", "CHO", "ချို", "NWE", "နွယ်", "MON", "မွန်", "ZAR", "ဇာ",
	"AYE", "အေး", "MYINT", "မြင့်", "PWINT", "ပွင့်", "WUT", "ဝတ်", "YEE", "ရည်",
	"SAN", "စန်း", "KHAING", "ခိုင်", "NANDAR", "နန္ဒာ", "HTWE", "ထွေး", "THANDAR", "သန္တာ",
	"WAI", "ဝေ", "LWIN", "လွင်", "ZIN", "ဇင်", "MOE", "မိုး", "PHYO", "ဖြိုး",
};

static const char *const np_family[] = {
	"SHRESTHA", "श्रेष्ठ", "GURUNG", "गुरुङ", "TAMANG", "तामाङ", "MAGAR", "मगर",
	"RAI", "राई", "LIMBU", "लिम्बु", "THAPA", "थापा", "ADHIKARI", "अधिकारी",
	"POUDEL", "पौडेल", "SHARMA", "शर्मा", "BHATTARAI", "भट्टराई", "KARKI", "कार्की",
	"BASNET", "बस्नेत", "CHAUDHARY", "चौधरी", "YADAV", "यादव", "KHADKA", "खड्का",
	"LAMA", "लामा", "SHERPA", "शेर्पा", "GHIMIRE", "घिमिरे", "SUBEDI", "सुवेदी",
	"PANDEY", "पाण्डे", "KHATRI", "खत्री",
};
static const char *const np_given_m[] = {
	"RAM", "राम", "HARI", "हरि", "KRISHNA", "कृष्ण", "BIKASH", "विकास",
	"SURESH", "सुरेश", "RAJESH", "राजेश", "SANTOSH", "सन्तोष", "DIPAK", "दीपक",
	"PRAKASH", "प्रकाश", "ROSHAN", "रोशन", "SUNIL", "सुनिल", "ANIL", "अनिल",
	"MANOJ", "मनोज", "BINOD", "विनोद", "SAGAR", "सागर", "NABIN", "नवीन",
	"BISHAL", "विशाल", "SUMAN", "सुमन", "RAMESH", "रमेश", "DINESH", "दिनेश",
	"GANESH", "गणेश", "BIJAY", "विजय", "SUJAN", "सुजन", "AASHISH", "आशिष",
	"PRABIN", "प्रवीण",
};
static const char *const np_given_f[] = {
	"SITA", "सीता", "GITA", "गीता", "SARITA", "सरिता", "SUNITA", "सुनिता",
	"ANITA", "अनिता", "PUJA", "पूजा", "SABINA", "सबिना", "SUSHMITA", "सुस्मिता",
	"RITA", "रीता", "KABITA", "कविता", "SANGITA", "सङ्गीता", "MAYA", "माया",
	"LAXMI", "लक्ष्मी", "RADHA", "राधा", "BIMALA", "विमला", "SARASWATI", "सरस्वती",
	"ANJALI", "अञ्जली", "MANISHA", "मनिषा", "PRATIMA", "प्रतिमा", "RENUKA", "रेणुका",
};

static const char *const kh_family[] = {
	"SOK", "សុខ", "CHAN", "ចាន់", "KIM", "គីម", "HENG", "ហេង", "SENG", "សេង",
	"KEO", "កែវ", "MEAS", "មាស", "SAO", "សៅ", "TEP", "ទេព", "PRAK", "ប្រាក់",
	"OUK", "អ៊ុក", "CHEA", "ជា", "LONG", "ឡុង", "MAO", "ម៉ៅ", "PICH", "ពេជ្រ",
	"LY", "លី", "ROS", "រស់", "TOUCH", "ទូច", "NHEM", "ញឹម", "SOUN", "ស៊ុន",
};
static const char *const kh_given_m[] = {
	"DARA", "ដារ៉ា", "VIBOL", "វិបុល", "SOPHEA", "សុភា", "VANNAK", "វណ្ណៈ",
	"RITHY", "ឫទ្ធី", "PISETH", "ពិសិដ្ឋ", "SAMNANG", "សំណាង", "KOSAL", "កុសល",
	"SOPHAL", "សុផល", "VISAL", "វិសាល", "RATHA", "រដ្ឋា", "SOKHA", "សុខា",
	"MAKARA", "មករា", "VUTHY", "វុទ្ធី", "SAMBATH", "សម្បត្តិ", "PANHA", "បញ្ញា",
	"BUNTHOEUN", "ប៊ុនធឿន", "CHANTHY", "ចន្ធី", "SOVANN", "សុវណ្ណ", "KIMHONG", "គីមហុង",
};
static const char *const kh_given_f[] = {
	"SREYMOM", "ស្រីមុំ", "SOPHEAP", "សុភាព", "DAVY", "ដាវី", "BOPHA", "បុប្ផា",
	"SREYLEAK", "ស្រីល័ក្ខ", "CHANNARY", "ចន្នារី", "THIDA", "ធីតា", "KANHA", "កញ្ញា",
	"RACHANA", "រចនា", "SREYNICH", "ស្រីនិច", "SOPHANNA", "សុផាន់ណា", "SREYNEANG", "ស្រីនាង",
	"MALIS", "ម្លិះ", "SOKUNTHEA", "សុគន្ធា", "LEAKHENA", "លក្ខិណា",
};

static const char *const th_family[] = {
	"JAIDEE", "ใจดี", "SAETANG", "แซ่ตั้ง", "SRISUK", "ศรีสุข", "BOONMA", "บุญมา",
	"WONGSAWAT", "วงศ์สวัสดิ์", "SUKSAWAT", "สุขสวัสดิ์", "THONGDEE", "ทองดี",
	"KAEWKLA", "แก้วกล้า", "PHROMMA", "พรหมมา", "CHAIYASIT", "ชัยสิทธิ์",
	"SIRIWAT", "ศิริวัฒน์", "KHAMSAEN", "คำแสน", "PHANTHONG", "พันธ์ทอง",
	"SUWANNARAT", "สุวรรณรัตน์", "BUNSRI", "บุญศรี", "THONGSUK", "ทองสุข",
	"CHANTHAWONG", "จันทวงศ์", "SAENGTHONG", "แสงทอง", "KAEWMANEE", "แก้วมณี",
	"INTHASON", "อินทสอน",
};
static const char *const th_given_m[] = {
	"SOMCHAI", "สมชาย", "SOMSAK", "สมศักดิ์", "PRASERT", "ประเสริฐ", "WICHAI", "วิชัย",
	"ANAN", "อนันต์", "KITTISAK", "กิตติศักดิ์", "NATTHAPHON", "ณัฐพล",
	"THANAKORN", "ธนากร", "SUPACHAI", "ศุภชัย", "SOMBAT", "สมบัติ",
	"WEERAPONG", "วีระพงษ์", "ATTHAPHON", "อรรถพล", "KRIANGSAK", "เกรียงศักดิ์",
	"NARONG", "ณรงค์", "SURACHAI", "สุรชัย", "THEERAPONG", "ธีรพงษ์", "APICHAT", "อภิชาติ",
	"CHATCHAI", "ชาติชาย", "SARAWUT", "ศราวุธ", "PHONGSAK", "พงศ์ศักดิ์",
};
static const char *const th_given_f[] = {
	"SUDARAT", "สุดารัตน์", "SIRIPORN", "ศิริพร", "KANYARAT", "กัญญารัตน์",
	"PORNTHIP", "พรทิพย์", "WANIDA", "วนิดา", "ORATHAI", "อรทัย", "SUPAPORN", "สุภาพร",
	"RATTANA", "รัตนา", "JIRAPORN", "จิราพร", "PATCHARIN", "พัชรินทร์",
	"KANOKWAN", "กนกวรรณ", "DUANGJAI", "ดวงใจ", "MALEE", "มาลี", "NIPAPORN", "นิภาพร",
	"ARUNEE", "อรุณี",
};

static const char *const lk_family[] = {
	"PERERA", "FERNANDO", "DE SILVA", "JAYASURIYA", "BANDARA", "DISSANAYAKE",
	"RATHNAYAKE", "WICKRAMASINGHE", "HERATH", "KUMARA", "GUNASEKARA", "SENANAYAKE",
};
static const char *const lk_given_m[] = {
	"NUWAN", "KASUN", "CHAMARA", "LAHIRU", "SAMAN", "DINESH", "RUWAN", "THARINDU",
	"ISURU", "SANDUN",
};
static const char *const lk_given_f[] = {
	"DILHANI", "NADEESHA", "SANDAMALI", "IMESHA", "CHATHURIKA", "NIROSHA", "KAVINDI",
	"SEWWANDI",
};

static const char *const bd_family[] = {
	"HOSSAIN", "RAHMAN", "ISLAM", "AHMED", "UDDIN", "MIAH", "KHAN", "SARKAR", "ALAM",
	"CHOWDHURY",
};
static const char *const bd_given_m[] = {
	"RAKIBUL", "SHAHIDUL", "ABDUL KARIM", "MOHAMMAD ALI", "NAZMUL", "RASEL", "SOHEL",
	"MASUD", "TANVIR", "ARIFUL",
};
static const char *const bd_given_f[] = {
	"NASRIN", "FATEMA", "SHIRIN", "RUMANA", "TASLIMA", "SHAHNAZ", "NUSRAT", "SUMAIYA",
};

static const char *const mn_family[] = {
	"BATBAYAR", "Батбаяр", "GANBOLD", "Ганболд", "ERDENEBAT", "Эрдэнэбат",
	"DORJ", "Дорж", "BOLD", "Болд", "SUKHBAATAR", "Сүхбаатар", "OTGONBAYAR", "Отгонбаяр",
	"ENKHTUVSHIN", "Энхтүвшин", "BATTULGA", "Баттулга", "GANZORIG", "Ганзориг",
};
static const char *const mn_given_m[] = {
	"TEMUULEN", "Тэмүүлэн", "BATKHUYAG", "Батхуяг", "MUNKH-ERDENE", "Мөнх-Эрдэнэ",
	"ENKHBAYAR", "Энхбаяр", "BILGUUN", "Билгүүн", "TEMUUJIN", "Тэмүүжин",
	"ORGIL", "Оргил", "GANBAATAR", "Ганбаатар",
};
static const char *const mn_given_f[] = {
	"ANUJIN", "Анужин", "NOMIN", "Номин", "ODGEREL", "Одгэрэл", "SARANGEREL", "Сарангэрэл",
	"OYUNCHIMEG", "Оюунчимэг", "KHULAN", "Хулан", "NANDIN-ERDENE", "Нандин-Эрдэнэ",
	"SOLONGO", "Солонго",
};

/* Uzbek family names take -A for women (KARIMOV, KARIMOVA). */
static const char *const uz_family[] = {
	"KARIMOV", "RAHIMOV", "YUSUPOV", "TOSHMATOV", "ABDULLAEV", "NORMATOV", "ERGASHEV",
	"SAIDOV", "XOLMATOV", "RASULOV",
};
static const char *const uz_given_m[] = {
	"JASUR", "SARDOR", "BOBUR", "DILSHOD", "AZIZ", "OTABEK", "SHERZOD", "BEKZOD",
	"ULUGBEK", "JAVOHIR",
};
static const char *const uz_given_f[] = {
	"DILNOZA", "MALIKA", "NODIRA", "GULNORA", "SHAHNOZA", "ZARINA", "MADINA", "SEVARA",
};

static const char *const cn_family[] = {
	"WANG", "王", "LI", "李", "ZHANG", "张", "LIU", "刘", "CHEN", "陈", "YANG", "杨",
	"HUANG", "黄", "ZHAO", "赵", "ZHOU", "周", "WU", "吴", "XU", "徐", "SUN", "孙",
};
static const char *const cn_given_m[] = {
	"WEI", "伟", "QIANG", "强", "LEI", "磊", "JUN", "军", "YONG", "勇", "JIE", "杰",
	"TAO", "涛", "MING", "明", "HAO", "浩", "PENG", "鹏", "JIANHUA", "建华",
	"ZHIQIANG", "志强", "HAIYANG", "海洋", "XIAODONG", "晓东",
};
static const char *const cn_given_f[] = {
	"FANG", "芳", "NA", "娜", "MIN", "敏", "JING", "静", "LI", "丽", "YAN", "艳",
	"JUAN", "娟", "XIA", "霞", "TING", "婷", "HUI", "慧", "XIAOYAN", "晓燕",
	"LIHUA", "丽华", "MEILING", "美玲", "HONGMEI", "红梅",
};

static const char *const in_family[] = {
	"KUMAR", "SINGH", "SHARMA", "YADAV", "PATEL", "DAS", "REDDY", "NAIR", "GUPTA", "VERMA",
};
static const char *const in_given_m[] = {
	"RAHUL", "AMIT", "VIKAS", "SURESH", "ARJUN", "RAJU", "SANJAY", "DEEPAK",
};
static const char *const in_given_f[] = {
	"PRIYA", "POOJA", "ANJALI", "NEHA", "KAVYA", "DEEPA", "LAKSHMI", "SUNITA",
};

static const char *const la_family[] = {
	"SOUKSAVANH", "PHOMMAVONG", "KEOVONGSA", "VONGPHACHANH", "SENGSOULIN", "INTHAVONG",
	"SAYASITH", "CHANTHAVONG",
};
static const char *const la_given_m[] = {
	"SOMPHONE", "KHAMPHAN", "BOUNMY", "PHOUTHONE", "SOULIYA", "KHAMSAY", "VIENGSAVANH",
	"BOUNTHAVY",
};
static const char *const la_given_f[] = {
	"KHAMLA", "NOY", "VILAY", "MANIVONE", "SOUPHAPHONE", "CHANSAMONE", "PHONEPASEUTH",
	"DAVONE",
};

/* ---- places ------------------------------------------------------------ */

static const char *const vn_regions[] = {
	"Hà Nội", "Nghệ An", "Thanh Hóa", "Hà Tĩnh", "Bắc Giang", "Hải Dương", "Thái Bình",
	"Nam Định", "Hưng Yên", "Phú Thọ", "Hồ Chí Minh", "Hải Phòng", "Quảng Bình",
	"Bắc Ninh", "Vĩnh Phúc", "Ninh Bình", "Đà Nẵng", "Cần Thơ",
};
static const char *const id_regions[] = {
	"Jawa Timur", "Jawa Tengah", "Jawa Barat", "DKI Jakarta", "Banten", "DI Yogyakarta",
	"Lampung", "Sumatera Utara", "Nusa Tenggara Barat", "Bali", "Sulawesi Selatan",
	"Kalimantan Barat",
};
static const char *const ph_regions[] = {
	"Metro Manila", "Cebu", "Pampanga", "Batangas", "Cavite", "Laguna", "Iloilo",
	"Davao del Sur", "Pangasinan", "Bulacan", "Negros Occidental", "Ilocos Norte",
};
static const char *const mm_regions[] = {
	"Yangon", "Mandalay", "Bago", "Ayeyarwady", "Magway", "Sagaing", "Mon", "Shan",
	"Naypyidaw", "Tanintharyi",
};
static const char *const np_regions[] = {
	"Kathmandu", "Lalitpur", "Bhaktapur", "Kaski", "Chitwan", "Morang", "Jhapa",
	"Rupandehi", "Sunsari", "Syangja", "Gorkha", "Dhading",
};
static const char *const kh_regions[] = {
	"Phnom Penh", "Kandal", "Takeo", "Kampong Cham", "Prey Veng", "Siem Reap",
	"Battambang", "Svay Rieng", "Kampot", "Kampong Speu",
};
static const char *const th_regions[] = {
	"Bangkok", "Udon Thani", "Khon Kaen", "Nakhon Ratchasima", "Chiang Mai", "Chiang Rai",
	"Ubon Ratchathani", "Buriram", "Sakon Nakhon", "Nong Khai",
};
static const char *const lk_regions[] = { "Colombo", "Gampaha", "Kandy", "Kurunegala", "Galle" };
static const char *const bd_regions[] = { "Dhaka", "Chattogram", "Cumilla", "Sylhet", "Rajshahi" };
static const char *const mn_regions[] = { "Ulaanbaatar", "Darkhan-Uul", "Orkhon", "Selenge" };
static const char *const uz_regions[] = { "Tashkent", "Samarkand", "Fergana", "Andijan", "Namangan" };
static const char *const cn_regions[] = { "Jiangsu", "Shandong", "Liaoning", "Jilin", "Henan", "Fujian" };
static const char *const in_regions[] = { "Tamil Nadu", "Kerala", "Uttar Pradesh", "Bihar", "Assam" };
static const char *const la_regions[] = {
	"Vientiane Capital", "Savannakhet", "Champasak", "Luang Prabang",
};

/* Where foreign workers in manufacturing live, roughly by weight. */
static const char *const jp_prefectures[] = {
	"愛知県", "愛知県", "愛知県", "大阪府", "大阪府", "埼玉県", "埼玉県", "静岡県",
	"静岡県", "岐阜県", "岐阜県", "群馬県", "茨城県", "栃木県", "三重県", "広島県",
	"兵庫県", "神奈川県", "千葉県", "東京都", "福岡県", "長野県", "滋賀県", "富山県",
	"岡山県", "新潟県",
};

/* ---- countries --------------------------------------------------------- */

enum native_order {
	NATIVE_NONE,
	NATIVE_GIVEN_FAMILY,   /* Thai, Nepali */
	NATIVE_FAMILY_GIVEN,   /* Khmer, Mongolian */
	NATIVE_JOINED,         /* Chinese: family and given without a space */
};

struct country {
	char code[3];
	unsigned weight;      /* per mille of candidates */
	const char *language; /* preferred language, BCP 47 */
	struct names family_m, family_f, given_m, given_f;
	enum native_order native;
	const char *const *regions;
	size_t nregions;
};

#define REGIONS(a) a, COUNT(a)

static const struct country countries[] = {
	{ "VN", 450, "vi", LATIN(vn_family), LATIN(vn_family), LATIN(vn_given_m),
	  LATIN(vn_given_f), NATIVE_NONE, REGIONS(vn_regions) },
	{ "ID", 150, "id", LATIN(id_family_m), LATIN(id_family_f), LATIN(id_given_m),
	  LATIN(id_given_f), NATIVE_NONE, REGIONS(id_regions) },
	{ "PH", 100, "fil", LATIN(ph_family), LATIN(ph_family), LATIN(ph_given_m),
	  LATIN(ph_given_f), NATIVE_NONE, REGIONS(ph_regions) },
	{ "MM", 90, "my", NONE, NONE, PAIRS(mm_syll_m), PAIRS(mm_syll_f), NATIVE_JOINED,
	  REGIONS(mm_regions) },
	{ "NP", 50, "ne", PAIRS(np_family), PAIRS(np_family), PAIRS(np_given_m),
	  PAIRS(np_given_f), NATIVE_GIVEN_FAMILY, REGIONS(np_regions) },
	{ "KH", 50, "km", PAIRS(kh_family), PAIRS(kh_family), PAIRS(kh_given_m),
	  PAIRS(kh_given_f), NATIVE_FAMILY_GIVEN, REGIONS(kh_regions) },
	{ "TH", 40, "th", PAIRS(th_family), PAIRS(th_family), PAIRS(th_given_m),
	  PAIRS(th_given_f), NATIVE_GIVEN_FAMILY, REGIONS(th_regions) },
	{ "LK", 12, "en", LATIN(lk_family), LATIN(lk_family), LATIN(lk_given_m),
	  LATIN(lk_given_f), NATIVE_NONE, REGIONS(lk_regions) },
	{ "BD", 10, "en", LATIN(bd_family), LATIN(bd_family), LATIN(bd_given_m),
	  LATIN(bd_given_f), NATIVE_NONE, REGIONS(bd_regions) },
	{ "MN", 10, "en", PAIRS(mn_family), PAIRS(mn_family), PAIRS(mn_given_m),
	  PAIRS(mn_given_f), NATIVE_FAMILY_GIVEN, REGIONS(mn_regions) },
	{ "UZ", 10, "en", LATIN(uz_family), LATIN(uz_family), LATIN(uz_given_m),
	  LATIN(uz_given_f), NATIVE_NONE, REGIONS(uz_regions) },
	{ "CN", 15, "en", PAIRS(cn_family), PAIRS(cn_family), PAIRS(cn_given_m),
	  PAIRS(cn_given_f), NATIVE_JOINED, REGIONS(cn_regions) },
	{ "IN", 6, "en", LATIN(in_family), LATIN(in_family), LATIN(in_given_m),
	  LATIN(in_given_f), NATIVE_NONE, REGIONS(in_regions) },
	{ "LA", 7, "en", LATIN(la_family), LATIN(la_family), LATIN(la_given_m),
	  LATIN(la_given_f), NATIVE_NONE, REGIONS(la_regions) },
};

static const char *const arrangements[] = {
	"extra time (1.3x)",
	"large-print booklet",
	"seat near the exit (uses a wheelchair)",
	"seat in the front row (hearing aid)",
	"may take medication during the test",
	"separate room (medical condition)",
};

/* ---- drawing a person -------------------------------------------------- */

static const struct country *draw_country(struct rng *r)
{
	unsigned total = 0, pick;
	for (size_t i = 0; i < COUNT(countries); i++)
		total += countries[i].weight;
	pick = rng_below(r, total);
	for (size_t i = 0; i < COUNT(countries); i++) {
		if (pick < countries[i].weight)
			return &countries[i];
		pick -= countries[i].weight;
	}
	return &countries[0];
}

/* The draws the photo shares with the record: who the person is, before
 * anything that depends on the exam year. */
static void draw_basics(struct rng *r, const struct country **country, int *female)
{
	*country = draw_country(r);
	*female = rng_permille(r, 250);
}

static size_t pick_name(struct rng *r, const struct names *list, const char **latin,
			const char **native)
{
	size_t i = rng_below(r, (unsigned)list->count);
	*latin = list->v[i * (size_t)list->stride];
	*native = list->stride == 2 ? list->v[i * 2 + 1] : NULL;
	return i;
}

/* Append to a fixed buffer, truncating (the tables keep every name well
 * within the field sizes). */
static void cat(char *dst, size_t size, const char *src)
{
	size_t n = strlen(dst);
	if (n + 1 < size)
		snprintf(dst + n, size - n, "%s", src);
}

/* Drop Vietnamese diacritics the way the machine-readable zone does: the
 * base letter stays, Đ becomes D. */
static void strip_marks(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)src;
	while (*p && n + 1 < size) {
		utf8proc_int32_t cp, base[4];
		utf8proc_ssize_t len = utf8proc_iterate(p, -1, &cp);
		if (len <= 0)
			break;
		p += len;
		if (cp == 0x110 || cp == 0x111) {
			dst[n++] = cp == 0x110 ? 'D' : 'd';
			continue;
		}
		utf8proc_ssize_t k = utf8proc_decompose_char(cp, base, 4, UTF8PROC_DECOMPOSE |
							     UTF8PROC_STRIPMARK, NULL);
		if (k >= 1 && base[0] < 0x80)
			dst[n++] = (char)base[0];
		else if (k >= 1) {
			utf8proc_uint8_t enc[4];
			utf8proc_ssize_t m = utf8proc_encode_char(base[0], enc);
			if ((size_t)m + n + 1 > size)
				break;
			memcpy(dst + n, enc, (size_t)m);
			n += (size_t)m;
		}
	}
	dst[n] = '\0';
}

static void draw_myanmar_name(struct rng *r, const struct country *c, int female,
			      struct sk_synth_candidate *out)
{
	const struct names *list = female ? &c->given_f : &c->given_m;
	int count = rng_permille(r, 550) ? 3 : 2;
	size_t used[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX };
	for (int k = 0; k < count; k++) {
		const char *latin, *native;
		size_t i;
		do
			i = pick_name(r, list, &latin, &native);
		while (i == used[0] || i == used[1]);
		used[k] = i;
		if (k)
			cat(out->family_name, sizeof(out->family_name), " ");
		cat(out->family_name, sizeof(out->family_name), latin);
		cat(out->native_name, sizeof(out->native_name), native);
	}
}

static void draw_name(struct rng *r, const struct country *c, int female,
		      struct sk_synth_candidate *out)
{
	const char *family, *given, *family_native, *given_native;

	if (c->family_m.count == 0) {
		draw_myanmar_name(r, c, female, out);
		return;
	}
	if (strcmp(c->code, "ID") == 0 && rng_permille(r, 150)) {
		const char *const *list = female ? id_mononym_f : id_mononym_m;
		size_t n = female ? COUNT(id_mononym_f) : COUNT(id_mononym_m);
		snprintf(out->family_name, sizeof(out->family_name), "%s", list[rng_below(r, (unsigned)n)]);
		return;
	}
	/* About a third of Vietnamese are called Nguyễn. */
	if (strcmp(c->code, "VN") == 0 && rng_permille(r, 300)) {
		family = vn_family[0];
		family_native = NULL;
	} else {
		pick_name(r, female ? &c->family_f : &c->family_m, &family, &family_native);
	}
	pick_name(r, female ? &c->given_f : &c->given_m, &given, &given_native);

	if (strcmp(c->code, "VN") == 0 && !rng_permille(r, 300)) {
		strip_marks(out->family_name, sizeof(out->family_name), family);
		strip_marks(out->given_name, sizeof(out->given_name), given);
	} else {
		snprintf(out->family_name, sizeof(out->family_name), "%s", family);
		snprintf(out->given_name, sizeof(out->given_name), "%s", given);
	}
	if (strcmp(c->code, "UZ") == 0 && female)
		cat(out->family_name, sizeof(out->family_name), "A");

	if (!family_native || !given_native)
		return;
	switch (c->native) {
	case NATIVE_GIVEN_FAMILY:
		snprintf(out->native_name, sizeof(out->native_name), "%s %s", given_native,
			 family_native);
		break;
	case NATIVE_FAMILY_GIVEN:
		snprintf(out->native_name, sizeof(out->native_name), "%s %s", family_native,
			 given_native);
		break;
	case NATIVE_JOINED:
		snprintf(out->native_name, sizeof(out->native_name), "%s%s", family_native,
			 given_native);
		break;
	case NATIVE_NONE:
		break;
	}
}

/* Birth date: the year difference to the exam year is 19..40, so the
 * candidate is 18 to 40 on every day of the exam year; most are in their
 * twenties. Returns the difference (the age on 31 December). */
static int draw_birth_date(struct rng *r, int exam_year, char out[11])
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int u = (int)rng_below(r, 100), diff;
	if (u < 70)
		diff = rng_range(r, 21, 31);
	else if (u < 80)
		diff = rng_range(r, 19, 20);
	else
		diff = rng_range(r, 32, 40);
	int year = exam_year - diff;
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	int day = rng_range(r, 1, 365 + leap), month = 0;
	for (;;) {
		int n = mdays[month] + (month == 1 && leap);
		if (day <= n)
			break;
		day -= n;
		month++;
	}
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)year % 10000u, (unsigned)(month + 1) % 100u,
		 (unsigned)day % 100u);
	return diff;
}

/* A keyed permutation of [0, 10^7): a four-round Feistel network on 24 bits,
 * cycle-walked into range. Bijective, so the serials of distinct indexes
 * differ. */
static unsigned passport_serial(uint64_t seed, size_t index)
{
	uint64_t keys[4];
	for (int i = 0; i < 4; i++)
		keys[i] = mix64(seed ^ (0x7061737370u + (uint64_t)i * 0x9e3779b97f4a7c15u));
	unsigned x = (unsigned)(index % 10000000u);
	do {
		unsigned left = x >> 12, right = x & 0xfff;
		for (int i = 0; i < 4; i++) {
			unsigned f = (unsigned)(mix64(keys[i] ^ right) & 0xfff);
			unsigned t = right;
			right = left ^ f;
			left = t;
		}
		x = left << 12 | right;
	} while (x >= 10000000u);
	return x;
}

/* Every pattern keeps the serial whole at a fixed place, and patterns that
 * share a shape share the place, so equal numbers mean equal serials. */
static void draw_passport(struct rng *r, const char *country, unsigned serial, char *out,
			  size_t size)
{
	static const char any[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char letter = any[rng_below(r, 26)];
	if (strcmp(country, "VN") == 0) {
		unsigned u = rng_below(r, 100);
		snprintf(out, size, "%c%07u", u < 60 ? 'C' : u < 85 ? 'N' : 'B', serial);
	} else if (strcmp(country, "ID") == 0) {
		snprintf(out, size, "%c%07u", "ABCEX"[rng_below(r, 5)], serial);
	} else if (strcmp(country, "PH") == 0) {
		snprintf(out, size, "P%07u%c", serial, letter);
	} else if (strcmp(country, "MM") == 0) {
		snprintf(out, size, "M%c%06u", "ABCDEFGHJK"[serial / 1000000], serial % 1000000);
	} else if (strcmp(country, "NP") == 0) {
		snprintf(out, size, "PA%07u", serial);
	} else if (strcmp(country, "KH") == 0) {
		snprintf(out, size, "N%u%07u", rng_below(r, 2), serial);
	} else if (strcmp(country, "TH") == 0) {
		snprintf(out, size, "A%c%07u", "ABCDEF"[rng_below(r, 6)], serial);
	} else if (strcmp(country, "BD") == 0) {
		snprintf(out, size, "E%c%07u", "BCF"[rng_below(r, 3)], serial);
	} else if (strcmp(country, "UZ") == 0) {
		snprintf(out, size, "F%c%07u", "AB"[rng_below(r, 2)], serial);
	} else if (strcmp(country, "CN") == 0) {
		snprintf(out, size, "E%c%07u", "GHJ"[rng_below(r, 3)], serial);
	} else if (strcmp(country, "IN") == 0) {
		snprintf(out, size, "%c%07u", "KLMNPRSTUVWZ"[rng_below(r, 12)], serial);
	} else if (strcmp(country, "LA") == 0) {
		snprintf(out, size, "P%07u", serial);
	} else if (strcmp(country, "MN") == 0) {
		snprintf(out, size, "E%07u", serial);
	} else {
		snprintf(out, size, "N%07u", serial);
	}
}

static unsigned digits(struct rng *r, int n)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + rng_below(r, 10);
	return v;
}

static const char *pick(struct rng *r, const char *const *list, size_t n)
{
	return list[rng_below(r, (unsigned)n)];
}

#define PICK(r, a) pick(r, a, COUNT(a))

static void draw_phone(struct rng *r, const char *country, char *out, size_t size)
{
	if (strcmp(country, "JP") == 0) {
		static const char *const p[] = { "90", "80", "70" };
		snprintf(out, size, "+81 %s-%04u-%04u", PICK(r, p), digits(r, 4), digits(r, 4));
	} else if (strcmp(country, "VN") == 0) {
		static const char *const p[] = { "90", "91", "93", "94", "96", "97", "98", "86",
						 "88", "89", "70", "77", "79", "81", "83", "85",
						 "32", "33", "34", "35", "36", "37", "38", "39" };
		snprintf(out, size, "+84 %s %03u %04u", PICK(r, p), digits(r, 3), digits(r, 4));
	} else if (strcmp(country, "ID") == 0) {
		static const char *const p[] = { "11", "12", "13", "21", "22", "52", "53", "56",
						 "57", "58", "77", "78", "81", "95", "96" };
		snprintf(out, size, "+62 8%s-%04u-%04u", PICK(r, p), digits(r, 4), digits(r, 4));
	} else if (strcmp(country, "PH") == 0) {
		snprintf(out, size, "+63 9%02u %03u %04u", digits(r, 2), digits(r, 3), digits(r, 4));
	} else if (strcmp(country, "MM") == 0) {
		snprintf(out, size, "+95 9 %03u %03u %03u", digits(r, 3), digits(r, 3), digits(r, 3));
	} else if (strcmp(country, "NP") == 0) {
		snprintf(out, size, "+977 98%u-%07u", rng_below(r, 10), digits(r, 7));
	} else if (strcmp(country, "KH") == 0) {
		static const char *const p[] = { "12", "15", "16", "17", "69", "70", "77", "78",
						 "85", "89", "92", "96", "97", "98" };
		snprintf(out, size, "+855 %s %03u %03u", PICK(r, p), digits(r, 3), digits(r, 3));
	} else if (strcmp(country, "TH") == 0) {
		snprintf(out, size, "+66 %c%u %03u %04u", "689"[rng_below(r, 3)], rng_below(r, 10),
			 digits(r, 3), digits(r, 4));
	} else if (strcmp(country, "LK") == 0) {
		snprintf(out, size, "+94 7%u %03u %04u", rng_below(r, 9), digits(r, 3), digits(r, 4));
	} else if (strcmp(country, "BD") == 0) {
		snprintf(out, size, "+880 1%u%02u-%06u", 3 + rng_below(r, 7), digits(r, 2),
			 digits(r, 6));
	} else if (strcmp(country, "MN") == 0) {
		static const char *const p[] = { "88", "99", "95", "94", "80", "86" };
		snprintf(out, size, "+976 %s%02u %04u", PICK(r, p), digits(r, 2), digits(r, 4));
	} else if (strcmp(country, "UZ") == 0) {
		static const char *const p[] = { "90", "91", "93", "94", "97", "99", "33" };
		snprintf(out, size, "+998 %s %03u %02u %02u", PICK(r, p), digits(r, 3),
			 digits(r, 2), digits(r, 2));
	} else if (strcmp(country, "CN") == 0) {
		snprintf(out, size, "+86 1%u%u %04u %04u", 3 + rng_below(r, 7), rng_below(r, 10),
			 digits(r, 4), digits(r, 4));
	} else if (strcmp(country, "IN") == 0) {
		snprintf(out, size, "+91 %u%04u %05u", 6 + rng_below(r, 4), digits(r, 4),
			 digits(r, 5));
	} else {
		snprintf(out, size, "+856 20 %c%03u %04u", "579"[rng_below(r, 3)], digits(r, 3),
			 digits(r, 4));
	}
}

/* Lowercase ASCII letters of one word of a name. */
static void email_word(char *dst, size_t size, const char *name, int last)
{
	char ascii[64];
	strip_marks(ascii, sizeof(ascii), name);
	const char *start = ascii;
	if (last) {
		const char *sp = strrchr(ascii, ' ');
		if (sp)
			start = sp + 1;
	}
	size_t n = 0;
	for (const char *p = start; *p && n + 1 < size; p++) {
		if (*p == ' ' && !last)
			break;
		if (*p >= 'A' && *p <= 'Z')
			dst[n++] = (char)(*p - 'A' + 'a');
		else if (*p >= 'a' && *p <= 'z')
			dst[n++] = *p;
	}
	dst[n] = '\0';
}

static void draw_email(struct rng *r, const struct sk_synth_candidate *c, char *out,
		       size_t size)
{
	static const char *const domains[] = {
		"example.com", "example.com", "example.com", "example.com", "example.com",
		"example.net", "example.org",
	};
	char first[32], last[32];
	if (c->given_name[0]) {
		/* Vietnamese go by the last word of the given name. */
		email_word(first, sizeof(first), c->given_name, strcmp(c->nationality, "VN") == 0);
		email_word(last, sizeof(last), c->family_name, 1);
	} else {
		email_word(first, sizeof(first), c->family_name, 0);
		email_word(last, sizeof(last), c->family_name, 1);
		if (strcmp(first, last) == 0)
			last[0] = '\0';
	}
	unsigned n = rng_below(r, 3) == 0 ? digits(r, 2) : digits(r, 4);
	snprintf(out, size, "%s%s%s%u@%s", first, last[0] ? "." : "", last, n, PICK(r, domains));
}

void sk_synth_candidate(struct sk_synth_candidate *out, uint64_t seed, size_t index,
			int exam_year)
{
	struct rng r;
	const struct country *c;
	int female, in_japan;

	memset(out, 0, sizeof(*out));
	rng_init(&r, "candidate", seed, index);
	draw_basics(&r, &c, &female);
	/* Four-digit years keep dates and references well-formed. */
	if (exam_year < 1960 || exam_year > 9999)
		exam_year = exam_year < 1960 ? 1960 : 9999;

	/* The modulus only tells the compiler the number fits the field. */
	snprintf(out->reference, sizeof(out->reference), "A%04d-%06zu", exam_year,
		 (index + 1) % 100000000000000u);
	snprintf(out->nationality, sizeof(out->nationality), "%s", c->code);
	snprintf(out->gender, sizeof(out->gender), "%s", female ? "F" : "M");
	draw_name(&r, c, female, out);
	int age_at_year_end = draw_birth_date(&r, exam_year, out->date_of_birth);
	/* Months since the 18th birthday, less a margin: nobody has worked
	 * longer than that. */
	int adult_months = (age_at_year_end - 18) * 12 - 6;
	draw_passport(&r, c->code, passport_serial(seed, index), out->passport_number,
		      sizeof(out->passport_number));

	in_japan = rng_permille(&r, 300);
	if (in_japan) {
		snprintf(out->residence_country, sizeof(out->residence_country), "JP");
		snprintf(out->residence_region, sizeof(out->residence_region), "%s",
			 PICK(&r, jp_prefectures));
		out->former_intern = rng_permille(&r, 850) && adult_months >= 24;
	} else {
		snprintf(out->residence_country, sizeof(out->residence_country), "%s", c->code);
		snprintf(out->residence_region, sizeof(out->residence_region), "%s",
			 c->regions[rng_below(&r, (unsigned)c->nregions)]);
		/* Some went home after their training. */
		out->former_intern = rng_permille(&r, 80) && adult_months >= 24;
	}

	/* Technical intern training runs three to five years. */
	if (out->former_intern)
		out->mfg_experience_months = rng_range(&r, 24, adult_months < 60 ? adult_months : 60);
	else if (rng_permille(&r, 400))
		out->mfg_experience_months = 0;
	else
		out->mfg_experience_months = rng_range(&r, 1, adult_months < 24 ? adult_months : 24);

	const char *level;
	unsigned u = rng_below(&r, 100);
	if (out->former_intern)
		level = u < 45 ? "N3" : u < 90 ? "N4" : "N2";
	else if (in_japan)
		level = u < 40 ? "N4" : u < 70 ? "N3" : u < 90 ? "JFT-A2" : "N2";
	else
		level = u < 35 ? "JFT-A2" : u < 65 ? "N4" : u < 85 ? "N5" : "none";
	snprintf(out->japanese_level, sizeof(out->japanese_level), "%s", level);

	const char *language = c->language;
	u = rng_below(&r, 100);
	if (strcmp(c->code, "PH") == 0 && u < 30)
		language = "en";
	else if (u < 5)
		language = "en";
	else if (in_japan && u < 15)
		language = "ja";
	snprintf(out->language, sizeof(out->language), "%s", language);

	draw_email(&r, out, out->email, sizeof(out->email));
	draw_phone(&r, out->residence_country, out->phone, sizeof(out->phone));

	if (rng_permille(&r, 30))
		snprintf(out->arrangements, sizeof(out->arrangements), "%s",
			 PICK(&r, arrangements));
}

/* ---- the portrait ------------------------------------------------------ */

#define PHOTO_W 300
#define PHOTO_H 400

struct rgb {
	float r, g, b;
};

struct portrait {
	struct rgb background, background_low, skin, shade, hair, clothes, shirt, eye, lips;
	float cx, cy, rx, ry;  /* head ellipse */
	float hairline;        /* y of the fringe at the centre */
	float parting;         /* tilt of the fringe: hair combed to one side */
	float hair_volume;     /* how far hair stands out from the head */
	int long_hair;
	int collar_skin;       /* open neck instead of a shirt */
};

static struct rgb rgb(float r, float g, float b)
{
	struct rgb c = { r, g, b };
	return c;
}

static struct rgb scale(struct rgb c, float k)
{
	return rgb(c.r * k, c.g * k, c.b * k);
}

static int in_ellipse(float x, float y, float cx, float cy, float rx, float ry)
{
	float dx = (x - cx) / rx, dy = (y - cy) / ry;
	return dx * dx + dy * dy <= 1.0f;
}

/* Half-width of the shoulders y pixels below their top: a steep rounded
 * slope from the neck that reaches past the frame. */
static float shoulder_width(const struct portrait *p, float y)
{
	float t = y / 55.0f;
	if (t < 0)
		return -1.0f;
	return p->rx * 0.55f + 120.0f * sqrtf(t < 1 ? t : 1) + y * 0.1f;
}

enum paint { BACKGROUND, CLOTHES, COLLAR, HAIR, SHADE, SHADOW, SKIN, NOSE, EYE, LIPS };

static struct rgb paint_colour(const struct portrait *p, enum paint paint, float y)
{
	float t = y / PHOTO_H;
	switch (paint) {
	case BACKGROUND:
		return rgb(p->background.r + (p->background_low.r - p->background.r) * t,
			   p->background.g + (p->background_low.g - p->background.g) * t,
			   p->background.b + (p->background_low.b - p->background.b) * t);
	case CLOTHES: return p->clothes;
	case COLLAR: return p->collar_skin ? p->shade : p->shirt;
	case HAIR: return p->hair;
	case SHADE: return p->shade;
	case SHADOW: return scale(p->shade, 0.9f);
	case SKIN: return p->skin;
	case NOSE: return scale(p->skin, 0.93f);
	case EYE: return p->eye;
	case LIPS: return p->lips;
	}
	return p->background;
}

/* What covers the scene at one point, painted back to front. */
static enum paint portrait_at(const struct portrait *p, float x, float y)
{
	enum paint c = BACKGROUND;
	float hx = p->rx + p->hair_volume, hy = p->ry + p->hair_volume;
	float dx = x - p->cx;
	float top = p->cy + p->ry + 26.0f; /* of the shoulders */

	if (fabsf(dx) < shoulder_width(p, y - top)) {
		float depth = 52.0f, neck = p->rx * 0.42f + 6.0f;
		c = CLOTHES;
		if (y < top + depth && fabsf(dx) < (top + depth - y) * neck / depth)
			c = COLLAR;
	}
	/* Long hair falls behind the neck onto the shoulders. */
	if (p->long_hair) {
		/* The crown's outline, then widening a little as it falls. */
		float cyh = p->cy - p->hair_volume * 0.5f, v = (y - cyh) / hy, w;
		if (y < cyh)
			w = v > -1.0f ? hx * sqrtf(1.0f - v * v) : -1.0f;
		else
			w = hx + 10.0f * (y - cyh) / p->ry;
		float u = dx / (hx + 10.0f);
		if (fabsf(dx) < w && y < top + 38.0f - u * u * 26.0f)
			c = HAIR;
	}
	/* Neck, shaded under the jaw. */
	if (fabsf(dx) < p->rx * 0.42f && y > p->cy && y < top + 10.0f)
		c = y < p->cy + p->ry + 8.0f ? SHADOW : SHADE;
	/* Ears. */
	if (in_ellipse(x, y, p->cx - p->rx, p->cy + p->ry * 0.08f, p->rx * 0.15f, p->ry * 0.22f) ||
	    in_ellipse(x, y, p->cx + p->rx, p->cy + p->ry * 0.08f, p->rx * 0.15f, p->ry * 0.22f))
		c = SHADE;
	/* Hair around the crown and at the temples. */
	if (in_ellipse(x, y, p->cx, p->cy - p->hair_volume * 0.5f, hx, hy) &&
	    y < p->cy - p->ry * 0.05f)
		c = HAIR;
	if (in_ellipse(x, y, p->cx, p->cy, p->rx, p->ry)) {
		float u = dx / p->rx;
		float fringe = p->hairline + u * u * p->ry * 0.4f + u * p->parting;
		c = y < fringe ? HAIR : SKIN;
		if (y >= fringe) {
			float ex = p->rx * 0.37f, ey = p->cy + p->ry * 0.03f;
			if (in_ellipse(x, y, p->cx - ex, ey - 15, 13, 2.8f) ||
			    in_ellipse(x, y, p->cx + ex, ey - 15, 13, 2.8f))
				c = HAIR;
			if (in_ellipse(x, y, p->cx - ex, ey, 8.5f, 4.6f) ||
			    in_ellipse(x, y, p->cx + ex, ey, 8.5f, 4.6f))
				c = EYE;
			if (in_ellipse(x, y, p->cx + 2, p->cy + p->ry * 0.3f, 6, 13))
				c = NOSE;
			if (in_ellipse(x, y, p->cx, p->cy + p->ry * 0.58f, p->rx * 0.27f, 4.0f))
				c = LIPS;
		}
	}
	return c;
}

static void draw_portrait(struct portrait *p, uint64_t seed, size_t index)
{
	static const struct rgb skins[] = {
		{ 241, 214, 190 }, { 234, 196, 164 }, { 226, 180, 142 }, { 208, 158, 118 },
		{ 184, 134, 96 },  { 156, 108, 76 },  { 124, 86, 60 },
	};
	static const struct rgb hairs[] = {
		{ 22, 19, 19 }, { 34, 27, 24 }, { 48, 36, 29 }, { 66, 47, 34 }, { 28, 26, 31 },
	};
	static const struct rgb clothes[] = {
		{ 36, 46, 72 }, { 46, 46, 52 }, { 72, 82, 98 }, { 88, 62, 52 }, { 30, 30, 36 },
		{ 58, 88, 120 }, { 230, 230, 226 },
	};
	static const struct rgb backgrounds[] = {
		{ 212, 227, 240 }, { 220, 226, 232 }, { 204, 221, 238 }, { 228, 232, 236 },
	};
	struct rng who, r;
	const struct country *c;
	int female;

	rng_init(&who, "candidate", seed, index);
	draw_basics(&who, &c, &female);
	rng_init(&r, "photo", seed, index);

	/* South Asian candidates darker on average, East Asian lighter. */
	int lo = 0, hi = 4;
	if (strcmp(c->code, "NP") == 0 || strcmp(c->code, "LK") == 0 ||
	    strcmp(c->code, "BD") == 0 || strcmp(c->code, "IN") == 0)
		lo = 2, hi = 6;
	else if (strcmp(c->code, "CN") == 0 || strcmp(c->code, "MN") == 0)
		lo = 0, hi = 2;
	p->skin = skins[rng_range(&r, lo, hi)];
	p->shade = scale(p->skin, 0.9f);
	p->hair = hairs[rng_below(&r, COUNT(hairs))];
	p->clothes = clothes[rng_below(&r, COUNT(clothes))];
	p->shirt = p->clothes.r > 200 ? rgb(60, 70, 90) : rgb(245, 245, 242);
	p->collar_skin = rng_permille(&r, 300);
	p->background = backgrounds[rng_below(&r, COUNT(backgrounds))];
	p->background_low = scale(p->background, 0.93f);
	p->eye = rgb(40, 30, 28);
	p->lips = rgb(p->skin.r * 0.8f, p->skin.g * 0.6f, p->skin.b * 0.6f);
	p->rx = 68.0f + (float)rng_range(&r, -5, 5);
	p->ry = 88.0f + (float)rng_range(&r, -5, 6);
	p->cx = 150.0f + (float)rng_range(&r, -4, 4);
	p->cy = 168.0f + (float)rng_range(&r, -6, 6);
	p->hair_volume = female ? 9.0f + (float)rng_range(&r, 0, 6) : 3.0f + (float)rng_range(&r, 0, 6);
	p->hairline = p->cy - p->ry * (0.50f + (float)rng_range(&r, 0, 15) / 100.0f);
	p->long_hair = female && rng_permille(&r, 800);
	p->parting = (float)rng_range(&r, -12, 12);
}

int sk_synth_photo_png(unsigned char **out, size_t *out_len, uint64_t seed, size_t index)
{
	struct portrait p;
	png_image image;
	unsigned char *pixels = NULL, *png = NULL;
	unsigned char *corners = NULL;
	png_alloc_size_t size;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	memset(&image, 0, sizeof(image));
	draw_portrait(&p, seed, index);
	pixels = malloc((size_t)PHOTO_W * PHOTO_H * 3);
	if (!pixels) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	/* What covers every pixel corner; where the four corners of a pixel
	 * agree it is flat, elsewhere four samples smooth the edge. */
	corners = malloc((size_t)(PHOTO_W + 1) * (PHOTO_H + 1));
	if (!corners) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	for (int y = 0; y <= PHOTO_H; y++)
		for (int x = 0; x <= PHOTO_W; x++)
			corners[y * (PHOTO_W + 1) + x] =
				(unsigned char)portrait_at(&p, (float)x, (float)y);
	for (int y = 0; y < PHOTO_H; y++) {
		for (int x = 0; x < PHOTO_W; x++) {
			const unsigned char *k = &corners[y * (PHOTO_W + 1) + x];
			float cy = (float)y + 0.5f;
			struct rgb sum;
			if (k[0] == k[1] && k[0] == k[PHOTO_W + 1] && k[0] == k[PHOTO_W + 2]) {
				sum = paint_colour(&p, (enum paint)k[0], cy);
			} else {
				sum = rgb(0, 0, 0);
				for (int s = 0; s < 4; s++) {
					float sx = (float)x + 0.25f + 0.5f * (float)(s & 1);
					float sy = (float)y + 0.25f + 0.5f * (float)(s >> 1);
					struct rgb c = paint_colour(&p, portrait_at(&p, sx, sy), sy);
					sum.r += c.r / 4, sum.g += c.g / 4, sum.b += c.b / 4;
				}
			}
			unsigned char *px = pixels + ((size_t)y * PHOTO_W + (size_t)x) * 3;
			px[0] = (unsigned char)fminf(255.0f, sum.r + 0.5f);
			px[1] = (unsigned char)fminf(255.0f, sum.g + 0.5f);
			px[2] = (unsigned char)fminf(255.0f, sum.b + 0.5f);
		}
	}
	image.version = PNG_IMAGE_VERSION;
	image.width = PHOTO_W;
	image.height = PHOTO_H;
	image.format = PNG_FORMAT_RGB;
	image.flags = PNG_IMAGE_FLAG_FAST; /* flat colours compress well anyway */
	size = PNG_IMAGE_PNG_SIZE_MAX(image);
	png = malloc(size);
	if (!png) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	if (!png_image_write_to_memory(&image, png, &size, 0, pixels, 0, NULL)) {
		rc = SK_ENOMEM; /* the only way it fails with our own, valid input */
		goto cleanup;
	}
	unsigned char *shrunk = realloc(png, size);
	*out = shrunk ? shrunk : png;
	*out_len = size;
	png = NULL;
cleanup:
	png_image_free(&image);
	free(png);
	free(corners);
	free(pixels);
	return rc;
}

/* ---- files ------------------------------------------------------------- */

/* "cannot <what> '<path>': <reason>" into err. */
static void set_err(char *err, size_t errlen, const char *what, const char *path, int errnum)
{
	if (err && errlen)
		snprintf(err, errlen, "cannot %s '%s': %s", what, path, strerror(errnum));
}

/* mkdir -p */
static int make_dirs(const char *path)
{
	char *copy = strdup(path);
	int rc = 0;
	struct stat st;

	if (!copy)
		return SK_ENOMEM;
	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
			rc = SK_EIO;
			goto cleanup;
		}
		*p = saved;
		if (!saved)
			break;
	}
	if (stat(path, &st) != 0) {
		rc = SK_EIO;
		goto cleanup;
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		rc = SK_EIO;
	}
cleanup:
	free(copy);
	return rc;
}

/* The path of directory `to` as seen from directory `from`, both resolved:
 * "" when they are the same, "photos", "../pics". Caller frees. */
static char *relative_dir(const char *from, const char *to)
{
	struct sk_buf out = SK_BUF_INIT;
	size_t common = 0, i = 0;

	/* The longest common prefix that ends on a component boundary. */
	for (;; i++) {
		int end_from = from[i] == '/' || from[i] == '\0';
		int end_to = to[i] == '/' || to[i] == '\0';
		if (end_from && end_to)
			common = i;
		if (from[i] != to[i] || from[i] == '\0')
			break;
	}
	if (strcmp(from, "/") == 0 || strcmp(to, "/") == 0)
		common = 0;
	for (const char *p = from + common; *p; p++)
		if (*p == '/' && p[1] != '\0')
			sk_buf_adds(&out, out.len ? "/.." : "..");
	const char *rest = to + common;
	while (*rest == '/')
		rest++;
	if (*rest) {
		if (out.len)
			sk_buf_addch(&out, '/');
		sk_buf_adds(&out, rest);
	}
	return sk_buf_detach(&out, NULL);
}

/* Create "<path>.XXXXXX" beside path; *tmp is malloc'd. */
static int open_temp(const char *path, char **tmp)
{
	size_t n = strlen(path);
	*tmp = malloc(n + 8);
	if (!*tmp)
		return -1;
	memcpy(*tmp, path, n);
	memcpy(*tmp + n, ".XXXXXX", 8);
	int fd = mkstemp(*tmp);
	if (fd < 0) {
		int saved = errno;
		free(*tmp);
		*tmp = NULL;
		errno = saved;
	}
	return fd;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_file(const char *path, const unsigned char *data, size_t len, char *err,
		      size_t errlen)
{
	char *tmp = NULL;
	int fd = open_temp(path, &tmp), rc = 0;
	if (fd < 0) {
		set_err(err, errlen, "create", path, errno);
		return errno == ENOMEM ? SK_ENOMEM : SK_EIO;
	}
	if (write_all(fd, data, len) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		set_err(err, errlen, "write", path, errno);
		unlink(tmp);
		rc = SK_EIO;
	}
	free(tmp);
	return rc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int sk_synth_write_candidates(const char *csv_path, uint64_t seed, size_t count,
			      int exam_year, const char *photo_dir, size_t photos,
			      char *err, size_t errlen)
{
	static const char *const header[] = {
		"reference", "family_name", "given_name", "native_name", "date_of_birth",
		"gender", "nationality", "residence_country", "residence_region",
		"passport_number", "email", "phone", "language", "mfg_experience_months",
		"former_intern", "japanese_level", "arrangements", "photo",
	};
	struct sk_buf csv = SK_BUF_INIT, photo_path = SK_BUF_INIT, photo_ref = SK_BUF_INIT;
	char *csv_dir = NULL, *csv_real = NULL, *photo_real = NULL, *rel = NULL, *tmp = NULL;
	unsigned char *png = NULL;
	int fd = -1, rc = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!photo_dir)
		photos = 0;
	if (photos > count)
		photos = count;
	if (photos) {
		csv_dir = dir_of(csv_path);
		if (!csv_dir) {
			rc = SK_ENOMEM;
			goto cleanup;
		}
		if ((rc = make_dirs(photo_dir))) {
			set_err(err, errlen, "create directory", photo_dir, errno);
			goto cleanup;
		}
		csv_real = realpath(csv_dir, NULL);
		if (!csv_real) {
			set_err(err, errlen, "open directory", csv_dir, errno);
			rc = SK_EIO;
			goto cleanup;
		}
		photo_real = realpath(photo_dir, NULL);
		if (!photo_real) {
			set_err(err, errlen, "open directory", photo_dir, errno);
			rc = SK_EIO;
			goto cleanup;
		}
		rel = relative_dir(csv_real, photo_real);
		if (!rel) {
			rc = SK_ENOMEM;
			goto cleanup;
		}
	}

	fd = open_temp(csv_path, &tmp);
	if (fd < 0) {
		set_err(err, errlen, "create", csv_path, errno);
		rc = SK_EIO;
		goto cleanup;
	}
	sk_csv_put_row(&csv, header, COUNT(header));
	for (size_t i = 0; i < count; i++) {
		struct sk_synth_candidate c;
		char months[16];
		sk_synth_candidate(&c, seed, i, exam_year);
		snprintf(months, sizeof(months), "%d", c.mfg_experience_months);
		sk_buf_reset(&photo_ref);
		if (i < photos) {
			size_t len;
			if ((rc = sk_synth_photo_png(&png, &len, seed, i)))
				goto cleanup;
			sk_buf_reset(&photo_path);
			sk_buf_addf(&photo_path, "%s/%s.png", photo_dir, c.reference);
			sk_buf_addf(&photo_ref, "%s%s%s.png", rel, rel[0] ? "/" : "", c.reference);
			if (sk_buf_failed(&photo_path) || sk_buf_failed(&photo_ref)) {
				rc = SK_ENOMEM;
				goto cleanup;
			}
			if ((rc = write_file(photo_path.buf, png, len, err, errlen)))
				goto cleanup;
			free(png);
			png = NULL;
		}
		const char *row[] = {
			c.reference, c.family_name, c.given_name, c.native_name, c.date_of_birth,
			c.gender, c.nationality, c.residence_country, c.residence_region,
			c.passport_number, c.email, c.phone, c.language, months,
			c.former_intern ? "yes" : "no", c.japanese_level, c.arrangements,
			photo_ref.buf,
		};
		sk_csv_put_row(&csv, row, COUNT(row));
		if (csv.len >= 1u << 20 || i + 1 == count) {
			if (sk_buf_failed(&csv)) {
				rc = SK_ENOMEM;
				goto cleanup;
			}
			if (write_all(fd, csv.buf, csv.len) != 0) {
				set_err(err, errlen, "write", csv_path, errno);
				rc = SK_EIO;
				goto cleanup;
			}
			sk_buf_reset(&csv);
		}
	}
	if (count == 0 && write_all(fd, csv.buf, csv.len) != 0) {
		set_err(err, errlen, "write", csv_path, errno);
		rc = SK_EIO;
		goto cleanup;
	}
	int closed = close(fd);
	fd = -1;
	if (closed != 0 || rename(tmp, csv_path) != 0) {
		set_err(err, errlen, "write", csv_path, errno);
		rc = SK_EIO;
		goto cleanup;
	}
	free(tmp);
	tmp = NULL;
cleanup:
	if (rc == SK_ENOMEM && err && errlen && !err[0])
		snprintf(err, errlen, "out of memory");
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(png);
	free(rel);
	free(photo_real);
	free(csv_real);
	free(csv_dir);
	sk_buf_release(&photo_ref);
	sk_buf_release(&photo_path);
	sk_buf_release(&csv);
	return rc;
}
